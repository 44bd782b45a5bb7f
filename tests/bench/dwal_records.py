#!/usr/bin/env python3
# What weft's delta WAL (`<db>-dwal`, core/include/weft/store/sqlite/delta_wal_log.hpp) holds in
# its current generation: records by kind, their bytes, and why a frame was stored whole (the
# page's first frame in the generation, a delta chain at its longest, or a delta larger than
# half a frame). Copy the file while weft runs (or stop it with kill -9: a clean stop removes
# it). wal_pages.py and wal_delta.py read SQLite's own WAL format instead.
# With a database beside it (a copy that stock sqlite3 opens, such as the store after a clean
# stop), it also names each record's page from dbstat: the bytes by b-tree.
# Usage: tests/bench/dwal_records.py COPY_OF_DWAL [DATABASE]
import collections
import struct
import subprocess
import sys

MAGIC = 0x31524457
KINDS = {1: 'WAL header', 2: 'whole frame', 3: 'delta', 4: 'truncation', 5: 'whole frame, LZ4'}
MAX_DEPTH = 16

data = open(sys.argv[1], 'rb').read()
generation = struct.unpack_from('<I', data, 12)[0]
offset = 4096
count, size = collections.Counter(), collections.Counter()
names = {}
if len(sys.argv) > 2:
    out = subprocess.run(['sqlite3', sys.argv[2], 'select pageno, name from dbstat'], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        number, name = line.split('|', 1)
        names[int(number)] = name
by_tree, records_by_tree = collections.Counter(), collections.Counter()
why_whole = collections.Counter()
depth, last_of_page = [], {}
while offset + 40 <= len(data):
    magic, gen, seq, kind, frame, page, base, payload = struct.unpack_from('<IIIIIIiI', data, offset)
    if magic != MAGIC or gen != generation or seq != len(depth):
        break
    count[kind] += 1
    size[kind] += 40 + payload
    if names and kind in (2, 3, 5):
        by_tree[names.get(page, '(a page new since)')] += 40 + payload
        records_by_tree[names.get(page, '(a page new since)')] += 1
    if kind in (2, 5):
        previous = last_of_page.get(page)
        why_whole['first frame of its page' if previous is None else
                  'chain at its longest' if depth[previous] >= MAX_DEPTH else 'delta over half a frame'] += 1
    depth.append(depth[base] + 1 if kind == 3 else 0)
    if kind in (2, 3, 5):
        last_of_page[page] = seq
    offset += 40 + payload
print(f'generation {generation}: {len(depth)} records, {offset - 4096} bytes, {len(last_of_page)} pages')
for kind in sorted(count):
    print(f'  {KINDS.get(kind, kind)}: {count[kind]} records, {size[kind]} bytes, mean {size[kind] / count[kind]:.0f}')
for reason, n in why_whole.most_common():
    print(f'  stored whole, {reason}: {n}')
if names:
    total = sum(by_tree.values())
    print('page records by b-tree:')
    for name, n in by_tree.most_common():
        print(f'  {name:32s} {records_by_tree[name]:7d} records {n:10d} bytes {100 * n / total:5.1f}%')
