#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the TOPOLOGY variable into what QEMU, Xen and the tests need.

TOPOLOGY is either a preset name from rig/topologies or a spec string:

    NODE [NODE...] [dist=SPEC]
    NODE = PXM:CPUS:MEM        e.g. 0:2:2G  (MEM in M or G)
    SPEC = D | P-Q:D [,P-Q:D...] | D,P-Q:D...   (symmetric, local is 10,
                                                 remote defaults to 20)

Nodes are laid out in the order given: the first node gets the first CPUs
and the lowest RAM, and is named first in the SRAT, so Xen (which numbers
nodes in the order SRAT entries first name them) calls it node 0.  QEMU's
NUMA support is not used at all: QEMU's -numa wants consecutive node ids,
so the host is described by a generated SRAT and SLIT handed in with
-acpitable, following the RAM map QEMU's q35 machine really builds
(below 4 GiB up to max-ram-below-4g, the rest from 4 GiB).

With --variant and --xen-cmdline (rig/boot passes both) the expect file also
says what the boot promises dom0: DOM0_MEM and DOM0_MEM_MAX in bytes (empty
without dom0_mem=), DOM0_NODES, and whether Xen's dom0 vNUMA gate is met
(DOM0_VNUMA, see dom0_vnuma()); with --xsm, which XSM module Xen runs
(XSM: dummy, or flask with the rig's policy: rig/boot's XSM).
"""

import argparse
import os
import re
import struct
import sys

LOWMEM = 2 << 30          # -machine q35,max-ram-below-4g=2G
HIGHMEM_BASE = 4 << 30
MIB = 1 << 20


class TopologyError(Exception):
    pass


def parse_size(text):
    m = re.fullmatch(r'(\d+)([MG])', text)
    if not m:
        raise TopologyError(f"memory size '{text}' is not <number>M or <number>G")
    size = int(m.group(1)) << (20 if m.group(2) == 'M' else 30)
    if size < 64 * MIB:
        raise TopologyError(f"memory size '{text}' is below the 64M minimum per node")
    return size


def load_presets(path):
    presets = {}
    with open(path) as f:
        for line in f:
            line = line.split('#', 1)[0].strip()
            if line:
                name, spec = line.split(None, 1)
                presets[name] = spec.strip()
    return presets


def parse(spec):
    nodes, dist_spec = [], None
    for tok in spec.split():
        if tok.startswith('dist='):
            dist_spec = tok[5:]
            continue
        parts = tok.split(':')
        if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
            raise TopologyError(f"node '{tok}' is not PXM:CPUS:MEM")
        pxm, cpus = int(parts[0]), int(parts[1])
        if pxm > 255:
            raise TopologyError(f"PXM {pxm} above 255 (the SRAT revision 1 limit the rig uses)")
        if any(n['pxm'] == pxm for n in nodes):
            raise TopologyError(f"PXM {pxm} named twice")
        if cpus < 1:
            raise TopologyError(f"node PXM {pxm} needs at least one CPU")
        nodes.append({'pxm': pxm, 'cpus': cpus, 'mem': parse_size(parts[2])})
    if not nodes:
        raise TopologyError("no nodes in topology")

    pxms = [n['pxm'] for n in nodes]
    remote = 20
    pairs = {}
    if dist_spec:
        for item in dist_spec.split(','):
            m = re.fullmatch(r'(\d+)-(\d+):(\d+)', item)
            if m:
                a, b, d = (int(x) for x in m.groups())
                if a not in pxms or b not in pxms or a == b:
                    raise TopologyError(f"distance '{item}' names an unknown or identical PXM")
                if not 11 <= d <= 254:
                    raise TopologyError(f"distance '{item}' outside 11..254")
                pairs[(a, b)] = pairs[(b, a)] = d
            elif item.isdigit() and 11 <= int(item) <= 254:
                remote = int(item)
            else:
                raise TopologyError(f"distance spec '{item}' is not D or P-Q:D (11..254)")
    dist = {}
    for a in pxms:
        for b in pxms:
            dist[(a, b)] = 10 if a == b else pairs.get((a, b), remote)
    return nodes, dist


def layout(nodes):
    """Assign CPUs and host physical RAM ranges to each node."""
    total = sum(n['mem'] for n in nodes)
    low = min(total, LOWMEM)
    cpu = 0
    linear = 0
    for n in nodes:
        n['cpu_list'] = list(range(cpu, cpu + n['cpus']))
        cpu += n['cpus']
        ranges = []
        start, end = linear, linear + n['mem']
        if start < low:
            ranges.append((start, min(end, low)))
        if end > low:
            hs = max(start, low) - low + HIGHMEM_BASE
            ranges.append((hs, end - low + HIGHMEM_BASE))
        n['ranges'] = ranges
        linear = end
    return total, cpu


def acpi_header(sig, length, revision):
    return struct.pack('<4sIBB6s8sI4sI', sig, length, revision, 0,
                       b'XNHRIG', b'XNHTOPO ', 1, b'XNH ', 1)


def finish_table(data):
    data = bytearray(data)
    data[9] = (-sum(data)) & 0xff
    return bytes(data)


def make_srat(nodes):
    body = b''
    for n in nodes:
        for c in n['cpu_list']:
            # Processor Local APIC affinity; APIC ID == CPU index with
            # -smp sockets=1,cores=N,threads=1.
            body += struct.pack('<BBBBIB3sI', 0, 16, n['pxm'], c, 1, 0, b'\0\0\0', 0)
    for n in nodes:
        for (s, e) in n['ranges']:
            body += struct.pack('<BBIHIIIIIIQ', 1, 40, n['pxm'], 0,
                                s & 0xffffffff, s >> 32,
                                (e - s) & 0xffffffff, (e - s) >> 32, 0, 1, 0)
    length = 48 + len(body)
    return finish_table(acpi_header(b'SRAT', length, 3) + struct.pack('<IQ', 1, 0) + body)


def make_slit(nodes, dist):
    # Localities are indexed by PXM, so a PXM hole leaves rows that no node
    # uses; fill them the way firmware does (10 local, 20 remote).
    count = max(n['pxm'] for n in nodes) + 1
    entries = bytearray()
    for a in range(count):
        for b in range(count):
            entries.append(dist.get((a, b), 10 if a == b else 20))
    length = 36 + 8 + len(entries)
    return finish_table(acpi_header(b'SLIT', length, 1) + struct.pack('<Q', count) + bytes(entries))


def xen_node_order(nodes):
    """Xen numbers nodes in the order SRAT entries first name them: CPU
    entries are parsed before memory entries."""
    order = []
    for n in nodes:
        if n['cpus'] and n['pxm'] not in order:
            order.append(n['pxm'])
    for n in nodes:
        if n['pxm'] not in order:
            order.append(n['pxm'])
    return order


def parse_xen_size(text):
    """A Xen size (parse_size_and_unit): digits with an optional K, M, G or
    T (B for bytes); no unit means KiB."""
    m = re.fullmatch(r'(\d+)([kKmMgGtTbB]?)', text)
    if not m:
        raise TopologyError(f"size '{text}' is not <number>[K|M|G|T]")
    shift = {'': 10, 'k': 10, 'm': 20, 'g': 30, 't': 40, 'b': 0}[m.group(2).lower()]
    return int(m.group(1)) << shift


def xen_bool(text):
    if text in ('1', 'yes', 'true', 'on', 'enable'):
        return True
    if text in ('0', 'no', 'false', 'off', 'disable'):
        return False
    raise TopologyError(f"'{text}' is not a Xen boolean")


def parse_xen_cmdline(cmdline):
    """The options of Xen's command line the rig's expectations depend on.
    Xen reads it left to right, a later option overriding an earlier one."""
    opts = {'pvh': False, 'vnuma': True, 'pin': False, 'vmin': 0, 'vmax': None,
            'numa_off': False, 'nodes': [], 'mem': None, 'mem_max': None}
    for tok in cmdline.split():
        key, _, val = tok.partition('=')
        if key == 'dom0':
            for item in val.split(','):
                name, eq, bval = item.partition('=')
                if item in ('pv', 'pvh'):
                    opts['pvh'] = item == 'pvh'
                elif name == 'vnuma':
                    opts['vnuma'] = xen_bool(bval) if eq else True
                elif item == 'no-vnuma':
                    opts['vnuma'] = False
        elif key == 'dom0_vcpus_pin':
            opts['pin'] = xen_bool(val) if val else True
        elif key == 'no-dom0_vcpus_pin' and not val:
            opts['pin'] = False
        elif key == 'dom0_max_vcpus':
            lo, _, hi = val.partition('-')
            if not (lo or hi) or (lo and not lo.isdigit()) or (hi and not hi.isdigit()):
                raise TopologyError(f"dom0_max_vcpus '{val}' is not N or [MIN]-[MAX]")
            opts['vmin'] = int(lo) if lo else 0
            opts['vmax'] = int(hi) if hi else (None if '-' in val else int(lo))
        elif key == 'dom0_nodes':
            opts['nodes'] = [int(x) for x in val.split(',') if x.isdigit()]
        elif key == 'dom0_mem':
            for item in val.split(','):
                if item.startswith('max:'):
                    opts['mem_max'] = parse_xen_size(item[4:])
                elif not item.startswith('min:'):
                    opts['mem'] = parse_xen_size(item)
        elif key == 'numa':
            opts['numa_off'] = val == 'off'
    return opts


# A PVH dom0 has at most HVM_MAX_VCPUS vCPUs.
PVH_MAX_VCPUS = 128


def dom0_vnuma(variant, opts, nodes):
    """What Xen's dom0 vNUMA gate (dom0_vnuma_check()) will decide for this
    boot: ('stock', ''), ('on', '') or ('off', reason), the reason being the
    text after 'Dom0 vNUMA: off: ' that Xen prints.  Rules in Xen's order;
    the ones no rig host can reach (PXMs beyond 31, x2APIC IDs beyond 0xfe)
    are left to unit/dom0_numa_test."""
    if variant == 'stock':
        return 'stock', ''
    nr_nodes = len(nodes)
    # dom0_max_vcpus(): the CPUs of dom0's nodes (all if dom0_nodes= names
    # none that exists), raised to the minimum, capped at the maximum.
    dom0_nodes = [n for n in nodes if n['pxm'] in opts['nodes']] or nodes
    nr_cpus = sum(n['cpus'] for n in dom0_nodes)
    vcpus = max(nr_cpus, opts['vmin'])
    if opts['vmax'] is not None:
        vcpus = min(vcpus, opts['vmax'])
    vcpus = min(vcpus, PVH_MAX_VCPUS)
    if not opts['vnuma']:
        return 'off', 'turned off with dom0=no-vnuma'
    if not opts['pvh']:
        return 'off', 'dom0 is PV'
    if not opts['pin']:
        return 'off', 'dom0_vcpus_pin not given'
    if len(dom0_nodes) < nr_nodes:
        return 'off', f"dom0_nodes= leaves dom0 {len(dom0_nodes)} of the host's {nr_nodes} nodes"
    if vcpus > nr_cpus:
        return 'off', f"dom0's {vcpus} vCPUs would share the {nr_cpus} CPUs it may use"
    if vcpus < nr_cpus:
        if vcpus == PVH_MAX_VCPUS:
            return 'off', (f"dom0 can have at most {PVH_MAX_VCPUS} vCPUs, "
                           f"the host has {nr_cpus} usable CPUs")
        return 'off', f"dom0 has {vcpus} vCPUs, the host {nr_cpus} usable CPUs"
    if nr_nodes < 2 or opts['numa_off']:
        return 'off', 'the host has one NUMA node'
    return 'on', ''


def cpu_range(cpus):
    return f"{cpus[0]}-{cpus[-1]}" if len(cpus) > 1 else f"{cpus[0]}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('topology')
    ap.add_argument('--presets', default=os.path.join(os.path.dirname(__file__), 'topologies'))
    ap.add_argument('--out', help='directory for srat.bin, slit.bin, qemu-args, expect, xen-nodes')
    ap.add_argument('--name', action='store_true', help='print the resolved spec and exit')
    ap.add_argument('--nr-cpus', action='store_true', help='print the host CPU count and exit')
    ap.add_argument('--variant', choices=('patched', 'stock'),
                    help='the Xen booted: adds XEN_VARIANT and DOM0_VNUMA to expect')
    ap.add_argument('--xen-cmdline', default='',
                    help="Xen's command line: dom0_mem=, dom0_nodes= and the dom0 vNUMA gate")
    ap.add_argument('--expect-vnuma', default='',
                    help="what the gate must decide ('on' or 'off: <reason>'); it must also be "
                         "what the rules here derive from the command line")
    ap.add_argument('--xsm', choices=('dummy', 'flask'),
                    help="the XSM module Xen runs (rig/boot's XSM): adds XSM to expect")
    args = ap.parse_args()

    presets = load_presets(args.presets)
    spec = presets.get(args.topology, args.topology)
    try:
        nodes, dist = parse(spec)
    except TopologyError as e:
        sys.exit(f"topology '{args.topology}': {e}\n(presets: {', '.join(presets)})")
    if args.name:
        print(spec)
        return
    total, nr_cpus = layout(nodes)
    if args.nr_cpus:
        print(nr_cpus)
        return
    try:
        opts = parse_xen_cmdline(args.xen_cmdline)
        vnuma = dom0_vnuma(args.variant, opts, nodes) if args.variant else None
    except TopologyError as e:
        sys.exit(f"topology '{args.topology}': {e}")
    if args.expect_vnuma and vnuma:
        derived = vnuma[0] + (f": {vnuma[1]}" if vnuma[1] else '')
        if args.expect_vnuma != derived:
            sys.exit(f"topology '{args.topology}': the boot expects dom0 vNUMA "
                     f"'{args.expect_vnuma}', its command line gives '{derived}'")
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, 'srat.bin'), 'wb') as f:
        f.write(make_srat(nodes))
    with open(os.path.join(args.out, 'slit.bin'), 'wb') as f:
        f.write(make_slit(nodes, dist))
    with open(os.path.join(args.out, 'qemu-args'), 'w') as f:
        f.write(f"-m {total // MIB}M\n")
        f.write(f"-smp cpus={nr_cpus},sockets=1,dies=1,cores={nr_cpus},threads=1\n")
        f.write(f"-acpitable file={args.out}/srat.bin\n")
        f.write(f"-acpitable file={args.out}/slit.bin\n")
    order = xen_node_order(nodes)
    with open(os.path.join(args.out, 'xen-nodes'), 'w') as f:
        for n in nodes:
            for (s, e) in n['ranges']:
                f.write(f"NUMA: Node {order.index(n['pxm'])} PXM {n['pxm']} "
                        f"[{s:016x}, {e - 1:016x}]\n")
    with open(os.path.join(args.out, 'expect'), 'w') as f:
        if args.variant:
            f.write(f"XEN_VARIANT={args.variant}\n")
        if args.xsm:
            f.write(f"XSM={args.xsm}\n")
        f.write(f"TOPOLOGY='{spec}'\n")
        f.write(f"NR_NODES={len(nodes)}\n")
        f.write(f"NR_CPUS={nr_cpus}\n")
        f.write(f"PXMS='{' '.join(str(p) for p in order)}'\n")
        f.write("PXM_CPUS='%s'\n" % ' '.join(f"{n['pxm']}:{cpu_range(n['cpu_list'])}" for n in nodes))
        f.write("PXM_MEM='%s'\n" % ' '.join(f"{n['pxm']}:{s:#x}-{e:#x}"
                                              for n in nodes for (s, e) in n['ranges']))
        f.write("DISTANCES='%s'\n" % ' '.join(f"{a}:{b}:{dist[(a, b)]}"
                                               for a in order for b in order))
        f.write(f"RAM_BYTES={total}\n")
        # Xen's node id of each PXM (node:pxm), in Xen's numbering.
        f.write("XEN_NODE_PXMS='%s'\n" % ' '.join(f"{i}:{p}" for i, p in enumerate(order)))
        if args.xen_cmdline:
            # Empty: no dom0_mem=, Xen sizes dom0 itself.
            f.write(f"DOM0_MEM={opts['mem'] or ''}\n")
            f.write(f"DOM0_MEM_MAX={opts['mem_max'] or opts['mem'] or ''}\n")
            f.write("DOM0_NODES='%s'\n" % ' '.join(
                str(n['pxm']) for n in nodes if n['pxm'] in opts['nodes']))
        if vnuma:
            f.write(f"DOM0_VNUMA={vnuma[0]}\n")
            f.write(f"DOM0_VNUMA_OFF_REASON='{vnuma[1]}'\n")


if __name__ == '__main__':
    main()
