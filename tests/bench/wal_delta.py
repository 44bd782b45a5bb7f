# How small a WAL would be if each frame were stored as the bytes that differ from an earlier
# image of the same page (issue 20: a commit writes every page it touched whole, ~4 KiB for a
# ~60-byte entry). Reads the frames of the WAL's current generation in order; a page's first
# frame is stored whole, later ones as runs of differing 8-byte words (4 bytes per run) with
# the 24-byte frame header and a 16-byte record header, or whole again when that passes half
# a page. `base` compares with the page's last whole image (one read to rebuild a frame),
# `chain` with its previous frame (a chain of reads).
# Usage: python3 tests/bench/wal_delta.py weft.db-wal [base|chain]
# To see a whole run, build with WalLimits raised past the run's WAL so no round starts over.
import sys
from wal_frames import read_frames

page_size, frames = read_frames(sys.argv[1])
chain = len(sys.argv) > 2 and sys.argv[2] == 'chain'
record_overhead = 24 + 16
last_image = {}
whole = deltas = stored = delta_bytes = 0
for page_no, commit, page in frames:
    earlier = last_image.get(page_no)
    size = None
    if earlier is not None:
        size, last = 0, -100
        for k in range(0, page_size, 8):
            if page[k:k + 8] != earlier[k:k + 8]:
                size += 8 + (4 if k - last > 8 else 0)
                last = k
    if size is None or size > page_size // 2:
        last_image[page_no] = page
        whole += 1
        stored += page_size + record_overhead
    else:
        if chain:
            last_image[page_no] = page
        deltas += 1
        delta_bytes += size
        stored += size + record_overhead
logical = len(frames) * (24 + page_size)
commits = sum(1 for _, commit, _ in frames if commit)
print(f"page size {page_size}, frames {len(frames)}, commits {commits}, WAL {logical / 1e6:.1f} MB; "
      f"{'chain' if chain else 'base'}: {whole} whole, {deltas} deltas (mean {delta_bytes / max(deltas, 1):.0f} B), "
      f"stored {stored / 1e6:.1f} MB = {stored / max(logical, 1):.3f} of the WAL")
