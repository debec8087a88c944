#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Judge one VM run from its serial log.

A run passes only if: QEMU ended by itself before the timeout; Xen printed
exactly the NUMA nodes the topology asked for; neither Xen nor any Linux
kernel (dom0 or guest) reported a crash, BUG, WARN or Oops; Xen's dom0
vNUMA messages say what the expectation file (DOM0_VNUMA) says; Xen runs
the XSM module it names (XSM), and under FLASK denies nothing but what the
FLASK boot's tests provoke; dom0's
init reached XNH-RESULT: PASS; and (check mode) dom0 and the guest ran
exactly the selftest sections rig/selftest-manifest lists for the boot's
variant, each with the listed number of test cases, a plan line that
agrees, and no failed and no skipped test.  Prints one line per verdict,
the reason for each failure, and writes <log>.json with the counts and,
when a known QEMU TCG fault explains every failure, the fault (rig/boot
then boots again).

The functions are importable (unit/judge_test.py); rig/boot runs the file.
"""

import argparse
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import topology  # noqa: E402  (rig/topology.py, beside this file)

RIG_DIR = os.path.dirname(os.path.abspath(__file__))
MANIFEST = os.path.join(RIG_DIR, 'selftest-manifest')
PRESETS = os.path.join(RIG_DIR, 'topologies')

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
# Those of XEN_BAD that only say a domain died: what a domain killed by a
# QEMU TCG fault makes Xen print (and nothing else about Xen's health).
XEN_DOMAIN_DEATH = re.compile(r'Triple fault|Hardware Dom0 crashed|domain_crash called from')
LINUX_BAD = re.compile(r'WARNING: CPU|BUG: |Oops|Kernel panic|Call Trace:|'
                       r'general protection fault|XNH-GUEST-KERNEL-ERROR')

# Xen's dom0 vNUMA messages that mean dom0 did not get (all of) the layout
# Xen decided to give it: each entry is a set of strings that must all be
# in one line.  With DOM0_VNUMA=on any of them fails the boot.  Every
# message the series prints at warning level or above about dom0's vNUMA
# or memory must match one (unit/judge_test.py reads xen-patches/ and
# holds the list to that); the series is to add "Dom0 vNUMA: ... instead
# ..." fallbacks, hence the generic "instead" entry.
DOM0_VNUMA_DEGRADED = (
    ('Dom0 vNUMA:', 'SRAT does not match'),
    ('Dom0 vNUMA:', 'no memory left'),
    ('Dom0 vNUMA:', 'cannot spread'),
    ('Dom0 vNUMA:', 'not bound'),
    ('Dom0 vNUMA: off',),
    ('Dom0 vNUMA', 'instead'),
    ('Failed to setup Dom0 vNUMA',),
)
# Xen's warnings that dom0's memory is not where it was meant to be: any of
# them fails a boot of the patched Xen, whatever DOM0_VNUMA says (the rig's
# hosts always have the memory to spread dom0 as planned).
DOM0_MEMORY_DEGRADED = (
    ('Dom0 memory:', 'instead'),
    ('Dom0 memory:', 'cannot spread'),
    ('Dom0 memory:', 'not on their'),
)
VNUMA_OFF = re.compile(r'Dom0 vNUMA: off: (.*)$')

XNH_RESULT = re.compile(r'XNH-RESULT: (PASS|FAIL)')
TAP_BEGIN = re.compile(r'XNH-TAP-BEGIN (\S+)')
TAP_END = re.compile(r'XNH-TAP-END (\S+) rc=(\d+) pass=(\d+) fail=(\d+) skip=(\d+)')
TAP_LINE = re.compile(r'^(not ok|ok) \d+(.*)$')
TAP_PLAN = re.compile(r'^1\.\.(\d+)(\s|$)')
TAP_TOTALS = re.compile(r'^# Totals: pass:(\d+) fail:(\d+) xfail:(\d+) xpass:(\d+) '
                        r'skip:(\d+) error:(\d+)')
GUEST_CONSOLE_BEGIN = 'XNH-REPORT-BEGIN guest console'
# dom0-init's words when the guest did not say XNH-GUEST-DONE in time.
GUEST_NEVER_FINISHED = 'guest never finished its selftests'

VARIANTS = ('dom0 on', 'dom0 off', 'dom0 stock', 'dom0 flask',
            'guest patched', 'guest stock', 'guest flask')

# Xen's XSM lines.  Every debug build of the rig has XSM (rig/build-xen),
# so every boot says "XSM Framework ... initialized"; the dummy module
# says nothing more, FLASK says how it starts and logs each denial.
XSM_FRAMEWORK = 'XSM Framework v'
FLASK_ENFORCING = 'Flask:  Starting in enforcing mode.'
FLASK_ANY = re.compile(r'Flask:|FLASK:|avc:  ')
AVC_DENIED = re.compile(r'avc:  denied  \{ ([^}]*) \} for (.*)$')
# The denials the FLASK boot provokes on purpose, (permissions, source
# type, target type, class): the rig's policy (rig/build-flask-policy)
# denies dom0 XENMEM_get_mfn_pxms and XENMEM_get_gfn_pxms, which dom0's
# module probes at load and dom0's selftest calls through privcmd.  At
# least one must be seen (the hook reached FLASK); any other denial fails
# the boot: the toolstack, the guest and its backends must work under the
# policy as it is.
#
# One more is Xen 4.20's own and is allowed, not required: building a PVH
# dom0, Xen (as xenboot_t) maps the BARs of dom0's PCI devices for vPCI and
# asks FLASK for `resource add` on dom0_t, which the example policy does
# not grant ("d0 XSM denied access to MMIO range", "setup of vPCI for d0
# failed" for that device; dom0 boots).  Granting it does not help: the
# next check, in security_iterate_iomem_sids(), calls avc_has_perm() under
# the policy's read lock, an AVC miss takes that lock again, and a debug
# Xen stops with "CHECKLOCK FAILURE: lock ... taken recursively" (measured
# 2026-11-29; docs/rig.md, "The FLASK boot").
FLASK_EXPECTED_DENIALS = (
    ('get_mfn_pxms', 'dom0_t', 'xen_t', 'xen2'),
)
FLASK_TOLERATED_DENIALS = (
    ('add', 'xenboot_t', 'dom0_t', 'resource'),
)


class ManifestError(Exception):
    pass


def load_presets(path=PRESETS):
    """rig/topologies as {name: spec}, read as rig/topology.py reads it."""
    return topology.load_presets(path)


# Conditions a manifest line may key a count on besides a preset: what a
# boot's expect file says it does.
CONDITIONS = {
    # dom0_mem=...,max: above dom0_mem: xen_dom0_numa balloons dom0 up.
    'balloon': lambda e: int(e.get('DOM0_MEM_MAX') or 0) > int(e.get('DOM0_MEM') or 0) > 0,
}


def load_manifest(path=MANIFEST, presets=None):
    """{variant: {section: (cases, {topology spec: cases})}}; format in the file."""
    if presets is None:
        presets = load_presets()
    stanzas, cur, key = {}, None, None
    try:
        f = open(path)
    except OSError as e:
        raise ManifestError(f"{path}: {e.strerror}") from e
    with f:
        for n, raw in enumerate(f, 1):
            line = raw.split('#', 1)[0].strip()
            if not line:
                continue
            where = f"{path}:{n}"
            m = re.fullmatch(r'\[\s*(\S+)\s+(\S+)\s*\]', line)
            if m:
                key = f"{m.group(1)} {m.group(2)}"
                if key not in VARIANTS:
                    raise ManifestError(f"{where}: unknown variant [{key}] "
                                        f"(variants: {', '.join(VARIANTS)})")
                if key in stanzas:
                    raise ManifestError(f"{where}: [{key}] a second time")
                cur = stanzas[key] = {}
                continue
            if cur is None:
                raise ManifestError(f"{where}: a section before the first [variant]")
            fields = line.split()
            if len(fields) < 2 or not fields[1].isdigit() or int(fields[1]) == 0:
                raise ManifestError(f"{where}: want 'SECTION CASES [TOPOLOGY=CASES...]', "
                                    f"CASES above 0: '{line}'")
            sid = fields[0]
            side = key.split()[0]
            # dom0's sections run while the guest does, or after it (dom0-late/)
            if not sid.startswith(side + '/') and \
                    not (side == 'dom0' and sid.startswith('dom0-late/')):
                raise ManifestError(f"{where}: {sid} in [{key}] does not start with "
                                    f"'{key.split()[0]}/'")
            if sid in cur:
                raise ManifestError(f"{where}: {sid} listed twice in [{key}]")
            overrides = {}
            for o in fields[2:]:
                name, _, count = o.partition('=')
                if (name not in presets and name not in CONDITIONS) or \
                        not count.isdigit() or int(count) == 0:
                    raise ManifestError(f"{where}: '{o}' is not NAME=CASES with a preset of "
                                        f"rig/topologies or a condition "
                                        f"({', '.join(CONDITIONS)}) and CASES above 0")
                key_ = ('if', name) if name in CONDITIONS else presets[name]
                if key_ in overrides:
                    raise ManifestError(f"{where}: {name} overridden twice")
                overrides[key_] = int(count)
            cur[sid] = (int(fields[1]), overrides)
    for v in VARIANTS:
        if not stanzas.get(v):
            raise ManifestError(f"{path}: no section listed for [{v}]")
    return stanzas


def read_expect(topology_dir):
    """The boot's expectation file as a dict, shell quotes removed."""
    expect = {}
    with open(os.path.join(topology_dir, 'expect')) as f:
        for line in f:
            k, sep, v = line.rstrip('\n').partition('=')
            if sep:
                expect[k] = v[1:-1] if len(v) >= 2 and v[0] == v[-1] == "'" else v
    return expect


def boot_variants(expect):
    """The manifest's variants for dom0 and for the guest of this boot."""
    xen, vnuma = expect.get('XEN_VARIANT'), expect.get('DOM0_VNUMA')
    xsm = expect.get('XSM', 'dummy')
    if xsm == 'flask' and xen == 'patched':
        return 'dom0 flask', 'guest flask'
    if xsm != 'dummy':
        raise ManifestError(f"the expect file says XSM={xsm} with XEN_VARIANT={xen}: "
                            f"no manifest variant for that")
    if (xen, vnuma) in (('patched', 'on'), ('patched', 'off'), ('stock', 'stock')):
        return f"dom0 {vnuma}", f"guest {xen}"
    raise ManifestError(f"the expect file says XEN_VARIANT={xen} DOM0_VNUMA={vnuma}: "
                        f"no manifest variant for that")


class Section:
    """One XNH-TAP-BEGIN ... XNH-TAP-END frame of the log."""

    def __init__(self, sid, begin, stream):
        self.id, self.begin, self.stream = sid, begin, stream
        self.end = None               # line of XNH-TAP-END, None if it never came
        self.counts = None            # (rc, pass, fail, skip) from XNH-TAP-END
        self.plans = []               # (line, N) of each "1..N"
        self.results = []             # (line, 'ok'|'not ok', text)
        self.totals = None            # the kselftest "# Totals:" numbers

    def bad_results(self):
        return [(i, t) for i, k, t in self.results if k == 'not ok' or '# SKIP' in t]


def streams_of(lines):
    """'guest' for the lines of the guest's console that dom0 prints at the
    end (written earlier, in the guest's own time), 'rt' for the rest, which
    the serial port saw as it happened."""
    out, inside = [], False
    for l in lines:
        if GUEST_CONSOLE_BEGIN in l:
            inside = True
            out.append('rt')
            continue
        if inside and 'XNH-REPORT-END' in l:
            inside = False
        out.append('guest' if inside else 'rt')
    return out


def parse_sections(lines, streams):
    sections, cur = [], None
    for i, l in enumerate(lines):
        b = TAP_BEGIN.search(l)
        e = TAP_END.search(l)
        if b:
            if cur:
                sections.append(cur)      # cut: a new one began before its end
            cur = Section(b.group(1), i, streams[i])
            continue
        if e:
            if not cur or cur.id != e.group(1):
                if cur:
                    sections.append(cur)
                cur = Section(e.group(1), None, streams[i])   # an end without a begin
            cur.end = i
            cur.counts = tuple(int(x) for x in e.groups()[1:])
            sections.append(cur)
            cur = None
            continue
        if cur:
            s = l.strip()
            if (p := TAP_PLAN.match(s)):
                cur.plans.append((i, int(p.group(1))))
            elif (t := TAP_LINE.match(s)):
                cur.results.append((i, t.group(1), t.group(2)))
            elif (t := TAP_TOTALS.match(s)):
                cur.totals = tuple(int(x) for x in t.groups())
    if cur:
        sections.append(cur)
    return sections


# A Linux kernel text RIP in Xen's dump of an HVM vCPU, and a cr2 in the
# first page of Linux's CPU entry area (its read-only IDT alias).
LINUX_RIP = re.compile(r'RIP:\s+0010:\[<ffffffff8[0-9a-f]{7}>\]')
IDT_CR2 = re.compile(r'\bcr2: fffffe0000000[0-9a-f]{3}\b')


class Fault:
    def __init__(self, pos, stream, domain, desc):
        self.pos, self.stream, self.domain, self.desc = pos, stream, domain, desc


def find_faults(lines, streams):
    """Three failure signatures seen only under QEMU's TCG, where a vCPU
    runs with another context's state or translations: a Linux entry that
    finds no kernel GS base (it faults on its own per-CPU access until it
    overruns the entry stack), a vCPU that triple-faults at a Xen text
    address, and a Linux vCPU that triple-faults because it cannot read its
    own IDT (cr2 in the first page of the CPU entry area, where Linux maps
    the IDT read-only in every address space from boot on).  See
    docs/rig.md."""
    faults = []
    for i, l in enumerate(lines):
        dump = lines[i + 1:i + 14]
        if 'ENTRY_TRAMPOLINE stack guard page was hit' in l:
            # Only dom0's kernel writes to the serial port as it runs.
            dom = 'guest' if streams[i] == 'guest' else 'dom0'
            faults.append(Fault(i, streams[i], dom, f'lost GS base at kernel entry in {dom} '
                                '(ENTRY_TRAMPOLINE stack guard page)'))
        elif 'Triple fault' in l and any('RIP:    e008:[<ffff82d0' in m for m in lines[i:i + 8]):
            d = re.search(r'\bd(\d+)v\d+ Triple fault', l)
            dom = None if not d else 'dom0' if d.group(1) == '0' else 'guest'
            faults.append(Fault(i, streams[i], dom,
                                f"{dom or 'a domain'}'s vCPU triple-faulted at a Xen text address"))
        elif 'Triple fault' in l and any(LINUX_RIP.search(m) for m in dump) and \
                any(IDT_CR2.search(m) for m in dump):
            d = re.search(r'\bd(\d+)v\d+ Triple fault', l)
            dom = None if not d else 'dom0' if d.group(1) == '0' else 'guest'
            faults.append(Fault(i, streams[i], dom,
                                f"{dom or 'a domain'}'s vCPU triple-faulted reading its IDT "
                                "(cr2 in the CPU entry area)"))
    return faults


# rig/vm/dom0-init's stage for the programs of selftests/*/dom0-late/.
LATE_STAGE = "XNH-STAGE: selftests in dom0 after the guest's"


class Ctx:
    """What the fault rules need to know about the whole log."""

    def __init__(self, lines, sections, timed_out):
        self.timed_out = timed_out
        self.guest_done = any('XNH-GUEST-DONE' in l for l in lines)
        # Where dom0 had finished starting its selftests: the first stage
        # after its first section began (the end of the log if none).
        first = next((s.begin for s in sections
                      if s.begin is not None and not s.id.startswith('guest/')), None)
        self.dom0_tests_done = len(lines)
        if first is not None:
            self.dom0_tests_done = next((i for i in range(first, len(lines))
                                         if 'XNH-STAGE: ' in lines[i]), len(lines))
        # dom0's late sections (ids dom0-late/...) run after the guest's
        # tests, in their own stage: where that stage ended, or the end of
        # the log if it never began or never ended.
        late = next((i for i, l in enumerate(lines) if LATE_STAGE in l), None)
        self.dom0_late_done = len(lines) if late is None else \
            next((i for i in range(late + 1, len(lines)) if 'XNH-STAGE: ' in lines[i]),
                 len(lines))


def explains(fault, ev, ctx):
    """Can this fault have caused this piece of failure evidence?  ev is
    (kind, line, stream, detail).  A fault explains nothing printed before
    it, nothing about Xen's own health or the topology, and nothing about
    the shape of a section that completed (its cases, its plan)."""
    kind, pos, stream, detail = ev
    after = pos is not None and stream == fault.stream and pos >= fault.pos
    if kind == 'timeout':
        return True
    if kind == 'no-result':
        # dom0 died, or the guest's death made dom0 wait past the timeout.
        return fault.domain == 'dom0' or ctx.timed_out
    if kind == 'xnh-fail':
        if fault.stream == 'guest':
            return detail == GUEST_NEVER_FINISHED
        return after
    if kind == 'xen-death':
        return after
    if kind == 'linux-bad':
        # A guest's death makes no dom0 kernel complain.
        return after and (stream == 'guest' or fault.domain != 'guest')
    if kind == 'case-failed':
        return after
    if kind == 'dom0-section-missing':
        done = ctx.dom0_late_done if detail.startswith('dom0-late/') else ctx.dom0_tests_done
        return fault.domain in ('dom0', None) and fault.stream == 'rt' and fault.pos < done
    if kind == 'dom0-section-cut':
        return fault.domain in ('dom0', None) and fault.stream == 'rt' and fault.pos > pos
    if kind in ('guest-section-missing', 'guest-section-cut'):
        return not ctx.guest_done
    return False   # 'never': the topology, Xen's health, a section's shape


class Verdict:
    def __init__(self):
        self.checks = []          # (name, ok, reason, evidence)
        self.cases_passed = self.cases_failed = 0
        self.faults = []
        self.retry_fault = ''     # the fault that explains every failure
        self.unexplained = []     # failed checks no fault explains
        self.bad_cases = []       # the failing test case lines, for the reader

    def check(self, what, ok, reason='', evidence=()):
        self.checks.append((what, bool(ok), reason, list(evidence) if not ok else []))

    @property
    def failed_checks(self):
        return [c for c in self.checks if not c[1]]


def judge(lines, topology_dir, mode, qemu_rc, timeout, manifest=MANIFEST, presets=None):
    v = Verdict()
    check = v.check
    streams = streams_of(lines)
    expect = read_expect(topology_dir)

    stages = [l.split('XNH-STAGE: ', 1)[1] for l in lines if 'XNH-STAGE: ' in l]
    last_stage = stages[-1] if stages else 'before dom0 user space'
    # QEMU exits 0 when Xen reboots the machine (-no-reboot); timeout(1)
    # gives 124, or 137 once it had to kill.
    timed_out = qemu_rc in (124, 137)
    if timed_out:
        why = f"timed out after {timeout}s; last stage: {last_stage}"
    else:
        why = f"QEMU exited with status {qemu_rc}; last stage: {last_stage}"
    check('boot finished before the timeout', qemu_rc == 0, why,
          [('timeout' if timed_out else 'never', None, 'rt', '')])

    xen_lines = [XEN_PREFIX.sub('', l) for l in lines if l.startswith('(XEN)')]
    with open(os.path.join(topology_dir, 'xen-nodes')) as f:
        want_nodes = [l.strip() for l in f if l.strip()]
    got_nodes = [l.strip() for l in xen_lines if l.startswith('NUMA: Node ')]
    missing = [n for n in want_nodes if n not in got_nodes]
    extra = [n for n in got_nodes if n not in want_nodes]
    faked = [l for l in xen_lines if 'No NUMA configuration found' in l or 'Faking a node' in l]
    check('Xen sees the requested NUMA topology', not missing and not extra and not faked,
          '; '.join([f"missing '{m}'" for m in missing] + [f"unexpected '{e}'" for e in extra] +
                    faked[:1]) or 'no NUMA lines in the log', [('never', None, 'rt', '')])

    xen_bad = [(i, l) for i, l in enumerate(lines) if XEN_BAD.search(l)]
    check('no Xen crash, BUG, WARN, assertion or domain crash', not xen_bad,
          ' | '.join(l for _, l in xen_bad[:3]),
          [('xen-death' if XEN_DOMAIN_DEATH.search(l) else 'never', i, streams[i], '')
           for i, l in xen_bad])
    linux_bad = [(i, l) for i, l in enumerate(lines)
                 if not l.startswith('(XEN)') and not l.startswith('XNH-RIG')
                 and LINUX_BAD.search(l)]
    check('no kernel WARN, BUG or Oops in dom0 or the guest', not linux_bad,
          ' | '.join(l for _, l in linux_bad[:3]),
          [('linux-bad', i, streams[i], '') for i, _ in linux_bad])

    if 'DOM0_VNUMA' in expect:
        judge_dom0_vnuma(v, lines, expect)
    if 'XSM' in expect:
        judge_xsm(v, lines, expect)

    fails = [(i, l.split('XNH-FAIL: ', 1)[1]) for i, l in enumerate(lines) if 'XNH-FAIL: ' in l]
    # The word after XNH-RESULT:, whatever the console appended to the line
    # (a Xen message can follow it mid-line, as everywhere).
    result = [m.group(1) for m in (XNH_RESULT.search(l) for l in lines) if m]
    ev = [('xnh-fail', i, streams[i], t) for i, t in fails]
    if not result:
        ev.append(('no-result', None, 'rt', ''))
    elif result[-1] != 'PASS' and not fails:
        ev.append(('never', None, 'rt', ''))
    check('dom0 init completed', result and result[-1] == 'PASS' and not fails,
          '; '.join(t for _, t in fails) or
          (f"XNH-RESULT: {result[-1]}" if result else f"no result; last stage: {last_stage}"), ev)

    sections = parse_sections(lines, streams)
    want = {}
    if mode == 'check':
        want = judge_section_list(v, sections, expect, manifest, presets)
    for s in sections:
        judge_section(v, s, want.get(s.id))
    v.bad_cases = [lines[i].strip() for s in sections for i, _ in s.bad_results()]

    v.faults = find_faults(lines, streams)
    failed = v.failed_checks
    if v.faults and failed:
        ctx = Ctx(lines, sections, timed_out)
        v.unexplained = [c[0] for c in failed
                         if not c[3] or not all(any(explains(f, e, ctx) for f in v.faults)
                                                for e in c[3])]
        if not v.unexplained:
            v.retry_fault = v.faults[0].desc
    return v


def judge_dom0_vnuma(v, lines, expect):
    """Xen's dom0 vNUMA lines against DOM0_VNUMA (docs/rig.md).  The
    selftests check the verdict line too (xen_dom0_numa); this also covers
    boots whose selftests never ran, and any degraded-mode line."""
    want = expect['DOM0_VNUMA']
    lines = [(i, l) for i, l in enumerate(lines) if not l.startswith('XNH-RIG')]
    bad = []
    if want == 'on':
        bad = [l for _, l in lines if any(all(s in l for s in pat) for pat in DOM0_VNUMA_DEGRADED)]
        if not any('Dom0 vNUMA: on: ' in l for _, l in lines):
            bad.append('no "Dom0 vNUMA: on: " line')
    elif want == 'off':
        reason = expect.get('DOM0_VNUMA_OFF_REASON', '')
        offs = [m.group(1) for _, l in lines if (m := VNUMA_OFF.search(l))]
        if offs != [reason]:
            bad.append(f'{len(offs)} "Dom0 vNUMA: off: " lines {offs}, '
                       f'want exactly one saying "{reason}"')
        bad += [l for _, l in lines if 'Dom0 vNUMA: on' in l]
    elif want == 'stock':
        bad = [l for _, l in lines if 'Dom0 vNUMA' in l]
    else:
        bad = [f"DOM0_VNUMA={want} in the expect file: not on, off or stock"]
    bad += [l for _, l in lines if any(all(s in l for s in pat) for pat in DOM0_MEMORY_DEGRADED)]
    v.check(f"Xen's dom0 vNUMA messages agree with DOM0_VNUMA={want}", not bad,
            ' | '.join(bad[:3]), [('never', None, 'rt', '')])


def avc_denial(line):
    """(permissions, source type, target type, class) of an "avc:  denied"
    line, or None if the line is none."""
    m = AVC_DENIED.search(line)
    if not m:
        return None
    fields = dict(f.split('=', 1) for f in m.group(2).split() if '=' in f)

    def typ(ctx):       # user:role:type[:level] -> type
        return ctx.split(':')[2] if ctx.count(':') >= 2 else ctx
    return (' '.join(m.group(1).split()), typ(fields.get('scontext', '?')),
            typ(fields.get('tcontext', '?')), fields.get('tclass', '?'))


def judge_xsm(v, lines, expect):
    """Xen's XSM lines against XSM: dummy (the default module of the XSM
    builds, which must behave as Xen without XSM) or flask (enforcing, the
    rig's policy, no denial but the expected ones, and at least one)."""
    want = expect['XSM']
    lines = [(i, l) for i, l in enumerate(lines) if not l.startswith('XNH-RIG')]
    bad = []
    if not any(XSM_FRAMEWORK in l for _, l in lines):
        bad.append(f'no "{XSM_FRAMEWORK}... initialized" line: Xen was built without XSM')
    if want == 'dummy':
        bad += [l for _, l in lines if FLASK_ANY.search(l)]
    elif want == 'flask':
        if not any(FLASK_ENFORCING in l for _, l in lines):
            bad.append(f'no "{FLASK_ENFORCING}" line')
        denials = [(l, avc_denial(l)) for _, l in lines if 'avc:  denied' in l]
        bad += [l for l, d in denials
                if d not in FLASK_EXPECTED_DENIALS and d not in FLASK_TOLERATED_DENIALS]
        if not any(d in FLASK_EXPECTED_DENIALS for _, d in denials):
            bad.append('no "avc:  denied  { get_mfn_pxms }" line for dom0_t: '
                       'FLASK never decided the op for dom0')
        bad += [l for _, l in lines if 'FLASK: Denying unknown' in l]
    else:
        bad = [f"XSM={want} in the expect file: not dummy or flask"]
    v.check(f"Xen's XSM lines agree with XSM={want}", not bad, ' | '.join(bad[:3]),
            [('never', None, 'rt', '')])


def judge_section_list(v, sections, expect, manifest, presets):
    """dom0's and the guest's sections against the manifest; returns the
    number of cases each listed section must have."""
    try:
        stanzas = load_manifest(manifest, presets) if isinstance(manifest, str) else manifest
        variants = boot_variants(expect)
    except ManifestError as e:
        for side in ('dom0', 'the guest'):
            v.check(f"selftests ran in {side}: the sections of rig/selftest-manifest", False,
                    str(e), [('never', None, 'rt', '')])
        return {}
    topo = expect.get('TOPOLOGY', '')
    want = {}
    for variant in variants:
        side = variant.split()[0]
        listed = stanzas[variant]
        ran = [s.id for s in sections if s.id.startswith('guest/') == (side == 'guest')]
        why, ev = [], []
        if not ran:
            why.append(f"no {side} selftest section in the log")
        for sid, (cases, overrides) in listed.items():
            met = [n for (k, n) in overrides.items()
                   if isinstance(k, tuple) and CONDITIONS[k[1]](expect)]
            want[sid] = met[0] if met else overrides.get(topo, cases)
            if sid not in ran:
                why.append(f"{sid} missing ({want[sid]} case{'s' if want[sid] > 1 else ''} "
                           f"expected)")
                ev.append((f'{side}-section-missing', None, 'rt', sid))
        for sid in dict.fromkeys(ran):
            if sid not in listed:
                why.append(f"{sid} is not in [{variant}] of rig/selftest-manifest "
                           f"(a new test is added there)")
                ev.append(('never', None, 'rt', sid))
            if ran.count(sid) > 1:
                why.append(f"{sid} ran {ran.count(sid)} times")
                ev.append(('never', None, 'rt', sid))
        v.check(f"selftests ran in {'the guest' if side == 'guest' else side}: the sections "
                f"of [{variant}] in rig/selftest-manifest", not why, '; '.join(why), ev)
    return want


def judge_section(v, s, want):
    """One section: complete, every case passed, plan, counts and manifest agree."""
    side = 'guest' if s.id.startswith('guest/') else 'dom0'
    bad = s.bad_results()
    why, ev = [], []
    for i, _ in bad:
        ev.append(('case-failed', i, s.stream, ''))
    if s.begin is None:
        why.append('XNH-TAP-END without XNH-TAP-BEGIN')
        ev.append(('never', s.end, s.stream, ''))
    if s.counts is None:
        npass = sum(1 for _, k, t in s.results if k == 'ok' and '# SKIP' not in t)
        why.append(f"never ended (no XNH-TAP-END: the test or its domain died)"
                   f"{f', {len(bad)} failed or skipped before' if bad else ''}")
        ev.append((f'{side}-section-cut', s.begin, s.stream, ''))
        v.check(f"{s.id} ({npass} passed)", False, ', '.join(why), ev)
        v.cases_passed += npass
        v.cases_failed += len(bad) + 1
        return
    rc, npass, nfail, nskip = s.counts
    total = npass + nfail + nskip
    structural = []
    if nfail:
        why.append(f"{nfail} failed")
    if nskip:
        why.append(f"{nskip} skipped (a skipped VM test is a failure)")
    if rc:
        why.append(f"exit status {rc}")
        if not bad:
            ev.append(('case-failed', s.end, s.stream, ''))
    if (nfail or nskip) and not bad:
        # run-tap counted failures the console lost: place them at the end.
        ev.append(('case-failed', s.end, s.stream, ''))
    if not total:
        structural.append('no test ran')
    if not s.plans:
        structural.append('no plan line (1..N)')
    elif len(s.plans) > 1:
        structural.append(f"{len(s.plans)} plan lines")
    elif s.plans[0][1] != total:
        structural.append(f"plan 1..{s.plans[0][1]} but {total} test results")
    if s.totals and sum(s.totals) != total:
        structural.append(f"its Totals line counts {sum(s.totals)} tests, run-tap {total}")
    if want is not None and total != want:
        structural.append(f"{total} test cases, rig/selftest-manifest wants {want}")
    why += structural
    if structural:
        ev.append(('never', s.end, s.stream, ''))
    ok = not why
    v.check(f"{s.id} ({npass} passed)", ok, ', '.join(why), ev)
    v.cases_passed += npass
    v.cases_failed += nfail + nskip + (0 if ok or nfail or nskip else 1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--log', required=True)
    ap.add_argument('--topology', required=True)
    ap.add_argument('--mode', required=True)
    ap.add_argument('--name', required=True)
    ap.add_argument('--qemu-rc', type=int, required=True)
    ap.add_argument('--timeout', type=int, required=True)
    ap.add_argument('--elapsed', type=int, required=True)
    ap.add_argument('--manifest', default=MANIFEST, help='default: rig/selftest-manifest')
    args = ap.parse_args()

    with open(args.log, errors='replace') as f:
        lines = [l.rstrip('\r\n') for l in f]

    v = judge(lines, args.topology, args.mode, args.qemu_rc, args.timeout, args.manifest)
    # Name the failing test cases.
    for l in v.bad_cases:
        print(f"    {l}")

    # Each test case counts in make check's total, as do the rig's checks.
    rig_passed = sum(1 for c in v.checks if c[1])
    rig_failed = len(v.checks) - rig_passed
    passed = rig_passed + v.cases_passed
    failed = rig_failed + v.cases_failed
    for what, ok, reason, _ in v.checks:
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
    if rig_failed and v.faults:
        where = ', '.join(f"line {f.pos + 1}" for f in v.faults)
        desc = '; '.join(dict.fromkeys(f.desc for f in v.faults))
        if v.retry_fault:
            print(f"{args.name}: known QEMU TCG fault signature: {desc} ({where}); "
                  f"it explains every failed check")
        else:
            print(f"{args.name}: known QEMU TCG fault signature: {desc} ({where}), but it does "
                  f"not explain: {'; '.join(v.unexplained)}: no retry")
    with open(args.log + '.json', 'w') as f:
        # emulator_fault is set only when the fault explains every failed
        # check: rig/boot retries exactly those boots.
        json.dump({'name': args.name, 'passed': passed, 'failed': failed,
                   'elapsed': args.elapsed,
                   'emulator_fault': v.retry_fault,
                   'fault_seen': '; '.join(f.desc for f in v.faults),
                   'unexplained': v.unexplained}, f)
    sys.exit(0 if not failed else 1)


if __name__ == '__main__':
    main()
