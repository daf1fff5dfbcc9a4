#!/usr/bin/env python3
"""Device-level bytes for the agent buffer's write pattern (docs/benchmarks.md §2).

One 4 KiB page written with O_DIRECT (and O_DSYNC, as Buffer:Synchronous=FULL does) every PERIOD seconds into
a zeroed 1 MiB file, the way the record log commits; prints the sectors the block device wrote
(/sys/block/DEV/stat) against the bytes written. Run it on an idle disk, in a directory on that disk:

    python3 bench/device-writes.py [--commits 60] [--period 1] [--dev mmcblk0] [--dir /var/lib/edgetelemetry] [--no-dsync]
"""
import argparse, mmap, os, time

p = argparse.ArgumentParser()
p.add_argument("--commits", type=int, default=60)
p.add_argument("--period", type=float, default=1.0)
p.add_argument("--dev", default="vda")
p.add_argument("--dir", default="/tmp")
p.add_argument("--no-dsync", action="store_true")
a = p.parse_args()

path = os.path.join(a.dir, "device-writes.seg")
with open(path, "wb") as f:
    f.write(b"\0" * (1 << 20))
    f.flush()
    os.fsync(f.fileno())
fd = os.open(path, os.O_RDWR | os.O_DIRECT | (0 if a.no_dsync else os.O_DSYNC))
page = mmap.mmap(-1, 4096)  # page-aligned, as O_DIRECT needs


def sectors():
    return int(open(f"/sys/block/{a.dev}/stat").read().split()[6])


os.sync()
time.sleep(6)  # past ext4's 5 s journal commit
s0, t0 = sectors(), time.time()
for i in range(a.commits):
    page.seek(0)
    page.write(os.urandom(200) + bytes(3896))  # one ~200 B record a commit, the page it ends in
    os.pwritev(fd, [page], (i * 200) // 4096 * 4096)
    time.sleep(max(0.0, t0 + (i + 1) * a.period - time.time()))
os.sync()
time.sleep(6)
s1 = sectors()
written = a.commits * 4096
print(f"{a.commits} commits every {a.period} s: wrote {written} B, device {(s1 - s0) * 512} B, ratio {(s1 - s0) * 512 / written:.2f}")
os.close(fd)
os.remove(path)
