#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""rig/topology.py's expect keys for the dom0 tests: Xen's node id of each
PXM, DOM0_MEM, and the dom0 vNUMA verdict derived from Xen's command line.
Prints TAP."""

import importlib.util
import os
import subprocess
import sys
import tempfile

RIG = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'rig')
spec = importlib.util.spec_from_file_location('topology', os.path.join(RIG, 'topology.py'))
topology = importlib.util.module_from_spec(spec)
spec.loader.exec_module(topology)

BASE = 'dom0=pvh dom0_mem=1536M,max:1536M dom0_max_vcpus=4'
CASES = [
    # (variant, command line, CPUs, nodes, expected)
    ('stock', BASE + ' dom0_vcpus_pin', 4, 2, ('stock', '')),
    ('patched', BASE + ' dom0_vcpus_pin', 4, 2, ('on', '')),
    ('patched', BASE, 4, 2, ('off', 'dom0_vcpus_pin not given')),
    ('patched', BASE + ' dom0_vcpus_pin', 4, 1, ('off', 'the host has one NUMA node')),
    ('patched', BASE + ' dom0_vcpus_pin numa=off', 4, 2, ('off', 'the host has one NUMA node')),
    ('patched', BASE + ' dom0_vcpus_pin dom0=pv', 4, 2, ('off', 'dom0 is PV')),
    ('patched', 'dom0_vcpus_pin', 4, 2, ('off', 'dom0 is PV')),
    ('patched', BASE + ' dom0_vcpus_pin=0', 4, 2, ('off', 'dom0_vcpus_pin not given')),
    ('patched', BASE + ' dom0_vcpus_pin no-dom0_vcpus_pin', 4, 2,
     ('off', 'dom0_vcpus_pin not given')),
    ('patched', BASE + ' dom0_vcpus_pin dom0_max_vcpus=2', 4, 2,
     ('off', 'dom0 has 2 vCPUs, the host 4 usable CPUs')),
    ('patched', BASE + ' dom0_vcpus_pin dom0_max_vcpus=6-', 4, 2,
     ('off', "dom0's 6 vCPUs would share the 4 CPUs it may use")),
    ('patched', BASE + ' dom0_vcpus_pin dom0_max_vcpus=-8', 4, 2, ('on', '')),
    # the opt-out first, then PV, the pin, dom0_nodes=, the vCPUs, the nodes
    ('patched', BASE + ' dom0_vcpus_pin dom0=no-vnuma', 4, 2,
     ('off', 'turned off with dom0=no-vnuma')),
    ('patched', 'dom0=pv,vnuma=0 dom0_vcpus_pin', 4, 2, ('off', 'turned off with dom0=no-vnuma')),
    ('patched', BASE + ' dom0_vcpus_pin dom0=vnuma=0 dom0=vnuma', 4, 2, ('on', '')),
    ('patched', 'dom0=pv dom0_max_vcpus=2', 4, 1, ('off', 'dom0 is PV')),
    ('patched', BASE + ' dom0_max_vcpus=2', 4, 1, ('off', 'dom0_vcpus_pin not given')),
    ('patched', BASE + ' dom0_vcpus_pin dom0_nodes=0', 4, 2,
     ('off', "dom0_nodes= leaves dom0 1 of the host's 2 nodes")),
    ('patched', BASE + ' dom0_vcpus_pin dom0_nodes=0,1', 4, 2, ('on', '')),
    ('patched', BASE + ' dom0_vcpus_pin dom0_nodes=7', 4, 2, ('on', '')),
    ('patched', 'dom0=pvh dom0_vcpus_pin', 256, 2,
     ('off', 'dom0 can have at most 128 vCPUs, the host has 256 usable CPUs')),
]

n = 0
failed = 0
print(f"1..{len(CASES) + 5}")
for variant, cmdline, cpus, nodes, want in CASES:
    n += 1
    host = [{'pxm': i, 'cpus': cpus // nodes} for i in range(nodes)]
    got = topology.dom0_vnuma(variant, topology.parse_xen_cmdline(cmdline), host)
    ok = got == want
    failed += not ok
    print(f"{'ok' if ok else 'not ok'} {n} dom0_vnuma {variant} '{cmdline}' {cpus} CPUs "
          f"{nodes} nodes -> {got}")


def expect_of(topo, *extra):
    with tempfile.TemporaryDirectory() as d:
        subprocess.run([sys.executable, os.path.join(RIG, 'topology.py'), topo, '--out', d,
                        *extra], check=True)
        with open(os.path.join(d, 'expect')) as f:
            return dict(l.rstrip('\n').split('=', 1) for l in f)


def check(what, ok):
    global n, failed
    n += 1
    failed += not ok
    print(f"{'ok' if ok else 'not ok'} {n} {what}")


e = expect_of('4node-order', '--variant', 'patched', '--xen-cmdline', BASE + ' dom0_vcpus_pin')
check('4node-order: XEN_NODE_PXMS in SRAT order', e['XEN_NODE_PXMS'] == "'0:3 1:1 2:0 3:2'")
check('DOM0_MEM in bytes, XEN_VARIANT, DOM0_VNUMA=on',
      e['DOM0_MEM'] == str(1536 << 20) and e['DOM0_MEM_MAX'] == str(1536 << 20) and
      e['XEN_VARIANT'] == 'patched' and
      e['DOM0_VNUMA'] == 'on' and e['DOM0_VNUMA_OFF_REASON'] == "''")
e = expect_of('1node', '--variant', 'patched',
              '--xen-cmdline', 'dom0=pvh dom0_mem=512M,max:1G dom0_vcpus_pin')
check('1node: off, one node', e['DOM0_VNUMA'] == 'off' and
      e['DOM0_VNUMA_OFF_REASON'] == "'the host has one NUMA node'" and
      e['XEN_NODE_PXMS'] == "'0:0'" and e['DOM0_MEM'] == str(512 << 20) and
      e['DOM0_MEM_MAX'] == str(1 << 30))
e = expect_of('2node', '--variant', 'patched',
              '--xen-cmdline', 'dom0=pvh dom0_vcpus_pin dom0_nodes=1 dom0_max_vcpus=4',
              '--expect-vnuma', "off: dom0_nodes= leaves dom0 1 of the host's 2 nodes")
check('no dom0_mem: empty DOM0_MEM; DOM0_NODES', e['DOM0_MEM'] == '' and
      e['DOM0_MEM_MAX'] == '' and e['DOM0_NODES'] == "'1'")
bad = subprocess.run([sys.executable, os.path.join(RIG, 'topology.py'), '2node', '--out',
                      tempfile.mkdtemp(), '--variant', 'patched', '--xen-cmdline',
                      'dom0=pvh dom0_vcpus_pin', '--expect-vnuma', 'off: dom0 is PV'],
                     capture_output=True, text=True)
check('an expectation the command line contradicts is refused',
      bad.returncode != 0 and "its command line gives 'on'" in bad.stderr)
e = expect_of('pxm-hole')
check('without --variant: no dom0 keys', 'DOM0_VNUMA' not in e and 'XEN_VARIANT' not in e and
      e['XEN_NODE_PXMS'] == "'0:0 1:2 2:5'")
sys.exit(1 if failed else 0)
