// A SQLite VFS over the platform's default one that hands each transaction's
// write-ahead-log frames to the operating system in one write.
//
// SQLite writes a log frame as two `pwrite` calls (its 24-byte header, then
// the page), so a step changing five pages makes ten system calls, and they
// were a third of a step's time. This layer keeps a transaction's frames in a
// buffer while they are contiguous and writes them at once when the commit
// frame's page arrives: a frame header whose "database size after commit"
// field (bytes 4-7, big-endian; the WAL format, sqlite.org/fileformat.html)
// is not zero marks the commit, and the page after it ends the transaction.
//
// What SQLite relies on stays true:
// - a commit is in the operating system before `sqlite3WalFrames` returns,
//   so before SQLite publishes it in the log's index and before COMMIT
//   returns: a process killed after a commit loses nothing, and another
//   process never sees an index pointing at frames not yet written;
// - any other call on the log file (read, size, sync, truncate, lock, file
//   control, close) writes the buffer first, so SQLite always reads what it
//   wrote, and `synchronous = FULL` syncs every frame;
// - a failed write reports SQLite's own error (`SQLITE_FULL` on a full disk)
//   from the call that made it, which fails that transaction;
// - frames of a transaction that never commits are written or dropped, as
//   SQLite's would be: they are not in the index, so no reader uses them.
// Database, rollback-journal and other files pass straight through.
#include <sqlite3.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <new>
#include <vector>

#include "sqlite.hpp"

namespace chatdesk::detail::sqlite {

namespace {

/// Frames kept before a long transaction's buffer is written anyway, and the
/// largest write handed down.
constexpr std::size_t most_buffered = std::size_t{64} << 10;
constexpr std::size_t largest_write = std::size_t{64} << 10;
/// A log frame's header; the log's own header is 32 bytes and pages are at least 512.
constexpr int frame_header = 24;

struct pending_writes {
  std::vector<unsigned char> bytes;
  sqlite3_int64 at = 0;      // file offset of bytes[0]
  bool commit_page = false;  // the next write is the commit frame's page
};

/// The file SQLite holds: ours first, the default VFS's right after it.
struct layered_file {
  sqlite3_file base;  // must stay first: SQLite sees this
  sqlite3_file* real;
  pending_writes* log;  // only for write-ahead logs
};

sqlite3_vfs* below = nullptr;   // the default VFS, set once before registration
sqlite3_io_methods methods[3];  // one per I/O methods version (1, 2, 3)

layered_file* self(sqlite3_file* f) noexcept {
  // SQLite hands back the pointer this layer's xOpen filled: a layered_file.
  return reinterpret_cast<layered_file*>(f);  // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)
}
sqlite3_file* real(sqlite3_file* f) noexcept {
  return self(f)->real;
}

/// Writes what the log's buffer holds; SQLite's result code.
int flush(sqlite3_file* f) noexcept {
  auto* log = self(f)->log;
  if (log == nullptr || log->bytes.empty()) return SQLITE_OK;
  auto* r = real(f);
  int rc = SQLITE_OK;
  // In pieces the default VFS takes whole (its unix writes take at most 128 KiB - 1 at a time).
  for (std::size_t done = 0; done < log->bytes.size() && rc == SQLITE_OK; done += largest_write) {
    const auto n = std::min(largest_write, log->bytes.size() - done);
    rc = r->pMethods->xWrite(r, log->bytes.data() + done, static_cast<int>(n),
                             log->at + static_cast<sqlite3_int64>(done));
  }
  log->bytes.clear();
  log->commit_page = false;
  return rc;
}

/// A frame header's "database size after commit" (bytes 4-7) is not zero.
bool marks_commit(const unsigned char* header) noexcept {
  return (header[4] | header[5] | header[6] | header[7]) != 0;
}

int file_write(sqlite3_file* f, const void* data, int amount, sqlite3_int64 offset) noexcept {
  auto* log = self(f)->log;
  auto* r = real(f);
  if (log == nullptr) return r->pMethods->xWrite(r, data, amount, offset);
  const auto size = static_cast<sqlite3_int64>(log->bytes.size());
  if (size != 0 && offset != log->at + size) {
    if (const int rc = flush(f); rc != SQLITE_OK) return rc;
  }
  const auto* bytes = static_cast<const unsigned char*>(data);
  try {
    if (log->bytes.empty()) log->at = offset;
    log->bytes.insert(log->bytes.end(), bytes, bytes + amount);
  } catch (const std::bad_alloc&) {  // no room to buffer: write what is held, then this, directly
    if (const int rc = flush(f); rc != SQLITE_OK) return rc;
    return r->pMethods->xWrite(r, data, amount, offset);
  }
  if (amount == frame_header) {
    log->commit_page = marks_commit(bytes);
    return SQLITE_OK;
  }
  if (log->commit_page || log->bytes.size() >= most_buffered) return flush(f);
  return SQLITE_OK;
}

int file_close(sqlite3_file* f) noexcept {
  const int flushed = flush(f);
  auto* r = real(f);
  const int rc = r->pMethods != nullptr ? r->pMethods->xClose(r) : SQLITE_OK;
  delete self(f)->log;
  self(f)->log = nullptr;
  return flushed != SQLITE_OK ? flushed : rc;
}

/// A call passed to the default VFS's file as it is.
template <auto method, class... Args>
auto passed(sqlite3_file* f, Args... args) noexcept {
  return (real(f)->pMethods->*method)(real(f), args...);
}
/// A call passed down after the log's buffer is written.
template <auto method, class... Args>
int flushed(sqlite3_file* f, Args... args) noexcept {
  if (const int rc = flush(f); rc != SQLITE_OK) return rc;
  return passed<method>(f, args...);
}

int vfs_open(sqlite3_vfs* vfs, const char* name, sqlite3_file* f, int flags, int* out_flags) noexcept {
  auto* me = self(f);
  me->base.pMethods = nullptr;
  me->log = nullptr;
  // The default VFS's file lives right after ours, in the room szOsFile gave.
  me->real = reinterpret_cast<sqlite3_file*>(  // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)
      reinterpret_cast<unsigned char*>(me) +   // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)
      sizeof(layered_file));
  auto* next = static_cast<sqlite3_vfs*>(vfs->pAppData);
  const int rc = next->xOpen(next, name, me->real, flags, out_flags);
  if (rc != SQLITE_OK) return rc;
  const int version = me->real->pMethods->iVersion;
  if (version < 1 || version > 3) {
    me->real->pMethods->xClose(me->real);
    return SQLITE_CANTOPEN;
  }
  if ((flags & SQLITE_OPEN_WAL) != 0) {
    me->log = new (std::nothrow) pending_writes;
    try {
      if (me->log != nullptr) me->log->bytes.reserve(std::size_t{64} << 10);
    } catch (const std::bad_alloc&) {  // NOLINT(bugprone-empty-catch): the buffer grows when written
    }
    if (me->log == nullptr) {
      me->real->pMethods->xClose(me->real);
      return SQLITE_NOMEM;
    }
  }
  me->base.pMethods = &methods[version - 1];
  return SQLITE_OK;
}

// The VFS's own calls go to the default VFS unchanged.
sqlite3_vfs* next_of(sqlite3_vfs* vfs) noexcept {
  return static_cast<sqlite3_vfs*>(vfs->pAppData);
}
template <auto method, class... Args>
auto to_next(sqlite3_vfs* v, Args... args) noexcept {
  return (next_of(v)->*method)(next_of(v), args...);
}

sqlite3_vfs layered{};

/// Registers the layer over the default VFS; its name, or nullptr when the
/// default VFS is too old to layer over (then SQLite's own is used).
const char* register_layer() noexcept {
  below = sqlite3_vfs_find(nullptr);
  if (below == nullptr || below->iVersion < 2 || below->xCurrentTimeInt64 == nullptr) return nullptr;
  for (int v = 1; v <= 3; ++v) {
    auto& m = methods[v - 1];
    m.iVersion = v;
    m.xClose = file_close;
    m.xRead = flushed<&sqlite3_io_methods::xRead>;
    m.xWrite = file_write;
    m.xTruncate = flushed<&sqlite3_io_methods::xTruncate>;
    m.xSync = flushed<&sqlite3_io_methods::xSync>;
    m.xFileSize = flushed<&sqlite3_io_methods::xFileSize>;
    m.xLock = flushed<&sqlite3_io_methods::xLock>;
    m.xUnlock = flushed<&sqlite3_io_methods::xUnlock>;
    m.xCheckReservedLock = flushed<&sqlite3_io_methods::xCheckReservedLock>;
    m.xFileControl = flushed<&sqlite3_io_methods::xFileControl>;
    m.xSectorSize = passed<&sqlite3_io_methods::xSectorSize>;
    m.xDeviceCharacteristics = passed<&sqlite3_io_methods::xDeviceCharacteristics>;
    if (v >= 2) {
      m.xShmMap = passed<&sqlite3_io_methods::xShmMap>;
      m.xShmLock = passed<&sqlite3_io_methods::xShmLock>;
      m.xShmBarrier = passed<&sqlite3_io_methods::xShmBarrier>;
      m.xShmUnmap = passed<&sqlite3_io_methods::xShmUnmap>;
    }
    if (v >= 3) {
      m.xFetch = flushed<&sqlite3_io_methods::xFetch>;
      m.xUnfetch = passed<&sqlite3_io_methods::xUnfetch>;
    }
  }
  layered.iVersion = 2;
  layered.szOsFile = static_cast<int>(sizeof(layered_file)) + below->szOsFile;
  layered.mxPathname = below->mxPathname;
  layered.zName = "chatdesk";
  layered.pAppData = below;
  layered.xOpen = vfs_open;
  layered.xDelete = to_next<&sqlite3_vfs::xDelete>;
  layered.xAccess = to_next<&sqlite3_vfs::xAccess>;
  layered.xFullPathname = to_next<&sqlite3_vfs::xFullPathname>;
  layered.xDlOpen = to_next<&sqlite3_vfs::xDlOpen>;
  layered.xDlError = to_next<&sqlite3_vfs::xDlError>;
  layered.xDlSym = to_next<&sqlite3_vfs::xDlSym>;
  layered.xDlClose = to_next<&sqlite3_vfs::xDlClose>;
  layered.xRandomness = to_next<&sqlite3_vfs::xRandomness>;
  layered.xSleep = to_next<&sqlite3_vfs::xSleep>;
  layered.xCurrentTime = to_next<&sqlite3_vfs::xCurrentTime>;
  layered.xGetLastError = to_next<&sqlite3_vfs::xGetLastError>;
  layered.xCurrentTimeInt64 = to_next<&sqlite3_vfs::xCurrentTimeInt64>;
  if (sqlite3_vfs_register(&layered, 0) != SQLITE_OK) return nullptr;
  return layered.zName;
}

}  // namespace

const char* batching_vfs() noexcept {
  static const char* const name = register_layer();
  return name;
}

}  // namespace chatdesk::detail::sqlite
