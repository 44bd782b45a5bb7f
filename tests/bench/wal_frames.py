# The frames of an SQLite WAL's current generation (those whose salts match the header's), in
# the order they were written: the reader behind wal_pages.py and wal_delta.py.
import struct


def read_frames(path):
    """Returns (page_size, [(page_no, commit, page bytes), ...]); commit is non-zero on a commit's last frame."""
    data = memoryview(open(path, 'rb').read())  # frames are slices of it, not copies
    magic, version, page_size, ckpt_seq, salt1, salt2, ck1, ck2 = struct.unpack('>8I', data[:32])
    frames = []
    offset = 32
    while offset + 24 + page_size <= len(data):
        page_no, commit, s1, s2 = struct.unpack('>4I', data[offset:offset + 16])
        if (s1, s2) != (salt1, salt2):
            break
        frames.append((page_no, commit, data[offset + 24:offset + 24 + page_size]))
        offset += 24 + page_size
    return page_size, frames
