#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Judge one VM run from its serial log.

A run passes only if: QEMU ended by itself before the timeout; Xen printed
exactly the NUMA nodes the topology asked for; neither Xen nor any Linux
kernel (dom0 or guest) reported a crash, BUG, WARN or Oops; Xen's dom0
vNUMA messages say what the expectation file (DOM0_VNUMA) says; dom0's
init reached XNH-RESULT: PASS; and (check mode) every selftest section ran
with no failed and no skipped test.  Prints one line per verdict, the
reason for each failure, and writes <log>.json with the counts.

The functions are importable (unit/judge_test.py); rig/boot runs the file.
"""

import argparse
import json
import os
import re
import sys

XEN_PREFIX = re.compile(r'^\(XEN\) (\[[^\]]*\] )?')
# Xen's own crash and warning reports, matched anywhere in any line: the
# serial console interleaves dom0's output and Xen's, so a Xen message can
# start mid-line ("[   12.3] foo(XEN) Assertion ...").  The debug build's
# "Selftest 2 failed ... SELFTEST FAILURE" lines are a TCG emulation
# artefact (QEMU raises #GP where hardware raises #SS) and are deliberately
# not matched by any of these.  A domain's vCPU triple-faulting or dom0
# crashing is reported by Xen alone: the dying kernel prints nothing, and
# QEMU still exits 0 because Xen reboots the machine.
XEN_BAD = re.compile(r'Panic on CPU|Xen BUG at|Xen WARN at|Assertion .* failed|FATAL TRAP|'
                     r'Xen call trace|MCE: |Triple fault|Hardware Dom0 crashed|'
                     r'domain_crash called from')
LINUX_BAD = re.compile(r'WARNING: CPU|BUG: |Oops|Kernel panic|Call Trace:|'
                       r'general protection fault|XNH-GUEST-KERNEL-ERROR')

# Xen's dom0 vNUMA messages that mean dom0 did not get (all of) the layout
# Xen decided to give it: each entry is a set of strings that must all be
# in one line.  With DOM0_VNUMA=on any of them fails the boot.  Every
# message the series prints at warning level or above about dom0's vNUMA
# must match one (unit/judge_test.py reads xen-patches/ and holds the list
# to that); the series is to add "Dom0 vNUMA: ... instead ..." fallbacks,
# hence the generic "instead" entry.
DOM0_VNUMA_DEGRADED = (
    ('Dom0 vNUMA:', 'SRAT does not match'),
    ('Dom0 vNUMA:', 'no memory left'),
    ('Dom0 vNUMA:', 'cannot spread'),
    ('Dom0 vNUMA:', 'not bound'),
    ('Dom0 vNUMA: off',),
    ('Dom0 vNUMA', 'instead'),
    ('Failed to setup Dom0 vNUMA',),
)
VNUMA_OFF = re.compile(r'Dom0 vNUMA: off: (.*)$')

TAP_END = re.compile(r'XNH-TAP-END (\S+) rc=(\d+) pass=(\d+) fail=(\d+) skip=(\d+)')
TAP_LINE = re.compile(r'^(not ok|ok) \d+ (.*)$')


def read_expect(topology_dir):
    """The boot's expectation file as a dict, shell quotes removed."""
    expect = {}
    with open(os.path.join(topology_dir, 'expect')) as f:
        for line in f:
            k, sep, v = line.rstrip('\n').partition('=')
            if sep:
                expect[k] = v[1:-1] if len(v) >= 2 and v[0] == v[-1] == "'" else v
    return expect


class Verdict:
    def __init__(self):
        self.checks = []          # (name, ok, reason)
        self.cases_passed = self.cases_failed = 0
        self.emulator_fault = ''
        self.bad_cases = []       # the failing test case lines, for the reader

    def check(self, what, ok, reason=''):
        self.checks.append((what, bool(ok), reason))


def judge(lines, topology_dir, mode, qemu_rc, timeout):
    v = Verdict()
    check = v.check
    expect = read_expect(topology_dir)

    stages = [l.split('XNH-STAGE: ', 1)[1] for l in lines if 'XNH-STAGE: ' in l]
    last_stage = stages[-1] if stages else 'before dom0 user space'
    # QEMU exits 0 when Xen reboots the machine (-no-reboot); timeout(1)
    # gives 124, or 137 once it had to kill.
    if qemu_rc in (124, 137):
        why = f"timed out after {timeout}s; last stage: {last_stage}"
    else:
        why = f"QEMU exited with status {qemu_rc}; last stage: {last_stage}"
    check('boot finished before the timeout', qemu_rc == 0, why)

    xen_lines = [XEN_PREFIX.sub('', l) for l in lines if l.startswith('(XEN)')]
    other = [l for l in lines if not l.startswith('(XEN)') and not l.startswith('XNH-RIG')]

    with open(os.path.join(topology_dir, 'xen-nodes')) as f:
        want_nodes = [l.strip() for l in f if l.strip()]
    got_nodes = [l.strip() for l in xen_lines if l.startswith('NUMA: Node ')]
    missing = [n for n in want_nodes if n not in got_nodes]
    extra = [n for n in got_nodes if n not in want_nodes]
    faked = [l for l in xen_lines if 'No NUMA configuration found' in l or 'Faking a node' in l]
    check('Xen sees the requested NUMA topology', not missing and not extra and not faked,
          '; '.join([f"missing '{m}'" for m in missing] + [f"unexpected '{e}'" for e in extra] +
                    faked[:1]) or 'no NUMA lines in the log')

    xen_bad = [l for l in lines if XEN_BAD.search(l)]
    check('no Xen crash, BUG, WARN, assertion or domain crash', not xen_bad,
          ' | '.join(xen_bad[:3]))
    linux_bad = [l for l in other if LINUX_BAD.search(l)]
    check('no kernel WARN, BUG or Oops in dom0 or the guest', not linux_bad,
          ' | '.join(linux_bad[:3]))

    if 'DOM0_VNUMA' in expect:
        judge_dom0_vnuma(v, lines, expect)

    fails = [l.split('XNH-FAIL: ', 1)[1] for l in lines if 'XNH-FAIL: ' in l]
    result = [l for l in lines if 'XNH-RESULT: ' in l]
    check('dom0 init completed', result and result[-1].endswith('PASS') and not fails,
          '; '.join(fails) or (result[-1] if result else f"no result; last stage: {last_stage}"))

    # Selftests: dom0 counts each section from the uncorrupted file it
    # captured; the TAP lines themselves are echoed for the reader.
    sections = [TAP_END.search(l) for l in lines]
    sections = [m for m in sections if m]
    if mode == 'check':
        check('selftests ran in dom0', any(m.group(1).startswith('dom0/') for m in sections),
              'no dom0 selftest section in the log')
        check('selftests ran in the guest', any(m.group(1).startswith('guest/') for m in sections),
              'no guest selftest section in the log')
    for m in sections:
        sid, rc, npass, nfail, nskip = m.group(1), *map(int, m.groups()[1:])
        ok = rc == 0 and nfail == 0 and nskip == 0 and npass > 0
        why = []
        if nfail:
            why.append(f"{nfail} failed")
        if nskip:
            why.append(f"{nskip} skipped (a skipped VM test is a failure)")
        if rc:
            why.append(f"exit status {rc}")
        if not npass and not nfail:
            why.append('no test ran')
        check(f"{sid} ({npass} passed)", ok, ', '.join(why))
        v.cases_passed += npass
        v.cases_failed += nfail + nskip + (0 if ok or nfail or nskip else 1)
    for l in other:
        t = TAP_LINE.match(l.strip())
        if t and (t.group(1) == 'not ok' or '# SKIP' in t.group(2)):
            v.bad_cases.append(l.strip())

    # Two failure signatures seen only under QEMU's TCG, where a vCPU runs
    # with another context's state: a Linux entry that finds no kernel GS
    # base (it faults on its own per-CPU access until it overruns the entry
    # stack), and a guest vCPU that triple-faults at a Xen text address.
    # rig/boot retries such a boot (BOOT_RETRIES times at most); see docs/rig.md.
    for i, l in enumerate(lines):
        if 'ENTRY_TRAMPOLINE stack guard page was hit' in l:
            v.emulator_fault = 'lost GS base at kernel entry (ENTRY_TRAMPOLINE stack guard page)'
            break
        if 'Triple fault' in l and any('RIP:    e008:[<ffff82d0' in m for m in lines[i:i + 8]):
            v.emulator_fault = 'guest vCPU triple-faulted at a Xen text address'
            break
    return v


def judge_dom0_vnuma(v, lines, expect):
    """Xen's dom0 vNUMA lines against DOM0_VNUMA (docs/rig.md).  The
    selftests check the verdict line too (xen_dom0_numa); this also covers
    boots whose selftests never ran, and any degraded-mode line."""
    want = expect['DOM0_VNUMA']
    lines = [l for l in lines if not l.startswith('XNH-RIG')]
    bad = []
    if want == 'on':
        bad = [l for l in lines if any(all(s in l for s in pat) for pat in DOM0_VNUMA_DEGRADED)]
        if not any('Dom0 vNUMA: on: ' in l for l in lines):
            bad.append('no "Dom0 vNUMA: on: " line')
    elif want == 'off':
        reason = expect.get('DOM0_VNUMA_OFF_REASON', '')
        offs = [m.group(1) for l in lines if (m := VNUMA_OFF.search(l))]
        if offs != [reason]:
            bad.append(f'{len(offs)} "Dom0 vNUMA: off: " lines {offs}, '
                       f'want exactly one saying "{reason}"')
        bad += [l for l in lines if 'Dom0 vNUMA: on' in l]
    elif want == 'stock':
        bad = [l for l in lines if 'Dom0 vNUMA' in l]
    else:
        bad = [f"DOM0_VNUMA={want} in the expect file: not on, off or stock"]
    v.check(f"Xen's dom0 vNUMA messages agree with DOM0_VNUMA={want}", not bad,
            ' | '.join(bad[:3]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--log', required=True)
    ap.add_argument('--topology', required=True)
    ap.add_argument('--mode', required=True)
    ap.add_argument('--name', required=True)
    ap.add_argument('--qemu-rc', type=int, required=True)
    ap.add_argument('--timeout', type=int, required=True)
    ap.add_argument('--elapsed', type=int, required=True)
    args = ap.parse_args()

    with open(args.log, errors='replace') as f:
        lines = [l.rstrip('\r\n') for l in f]

    v = judge(lines, args.topology, args.mode, args.qemu_rc, args.timeout)
    # Name the failing test cases.
    for l in v.bad_cases:
        print(f"    {l}")

    # Each test case counts in make check's total, as do the rig's checks.
    rig_passed = sum(1 for c in v.checks if c[1])
    rig_failed = len(v.checks) - rig_passed
    passed = rig_passed + v.cases_passed
    failed = rig_failed + v.cases_failed
    for what, ok, reason in v.checks:
        print(f"{'ok    ' if ok else 'FAILED'} {args.name}: {what}{'' if ok else ': ' + reason}")
    qemu = next((l for l in lines if l.startswith('XNH-RIG: QEMU')), '')
    print(f"{args.name}: {'PASS' if not failed else 'FAIL'} in {args.elapsed}s "
          f"({passed} passed, {failed} failed; {qemu.replace('XNH-RIG: ', '')}; log {args.log})")
    if rig_failed:
        # The serial log stays on the machine that ran it; CI shows only
        # this output, so give the reader the end of the story here.
        print(f"    last lines of {args.log}:")
        for l in [l for l in lines if l.strip()][-30:]:
            print(f"    | {l[:200]}")
    if rig_failed and v.emulator_fault:
        print(f"{args.name}: known QEMU TCG fault signature: {v.emulator_fault}")
    with open(args.log + '.json', 'w') as f:
        json.dump({'name': args.name, 'passed': passed, 'failed': failed,
                   'elapsed': args.elapsed,
                   'emulator_fault': v.emulator_fault if rig_failed else ''}, f)
    sys.exit(0 if not rig_failed and not v.cases_failed else 1)


if __name__ == '__main__':
    main()
