# Which b-trees a store's WAL pages belong to (issue 20): reads the frames of the WAL's current
# generation and names each page from dbstat on a copy of the store with its WAL beside it.
# Usage, while weft is idle: cp weft.db x/w.db; cp weft.db-wal x/w.db-wal; cp weft.db-wal frames.wal;
#   python3 tests/bench/wal_pages.py x/w.db frames.wal
# (dbstat reads x/w.db through its WAL, and may fold that WAL in: the frames are read from their own copy.)
import sys, subprocess, collections
from wal_frames import read_frames
db, wal = sys.argv[1], sys.argv[2]
psize, frames = read_frames(wal)
names = {}
out = subprocess.run(['sqlite3', db, 'select pageno, name from dbstat'], capture_output=True, text=True).stdout
for line in out.splitlines():
    p, n = line.split('|', 1); names[int(p)] = n
commits = sum(1 for f in frames if f[1])
by = collections.Counter(names.get(p, '?new/free') for p, _, _ in frames)
print(f'page size {psize}, frames {len(frames)}, commits {commits}, frames/commit {len(frames)/max(commits,1):.1f}')
distinct = collections.Counter()
seen=set()
for p, _, _ in frames:
    if p not in seen: seen.add(p); distinct[names.get(p,'?new/free')]+=1
for n, c in by.most_common():
    print(f'  {n:28s} {c:7d} {100*c/len(frames):5.1f}%  distinct pages {distinct[n]}')
