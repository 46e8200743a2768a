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

int big_endian_nonzero(const unsigned char* p) noexcept {
  return static_cast<int>((p[0] | p[1] | p[2] | p[3]) != 0);
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
    log->commit_page = big_endian_nonzero(bytes + 4) != 0;
    return SQLITE_OK;
  }
  if (log->commit_page || log->bytes.size() >= most_buffered) return flush(f);
  return SQLITE_OK;
}

// Every other call writes the buffer first, then passes through.
int file_close(sqlite3_file* f) noexcept {
  const int flushed = flush(f);
  auto* r = real(f);
  const int rc = r->pMethods != nullptr ? r->pMethods->xClose(r) : SQLITE_OK;
  delete self(f)->log;
  self(f)->log = nullptr;
  return flushed != SQLITE_OK ? flushed : rc;
}
int file_read(sqlite3_file* f, void* data, int amount, sqlite3_int64 offset) noexcept {
  if (const int rc = flush(f); rc != SQLITE_OK) return rc;
  return real(f)->pMethods->xRead(real(f), data, amount, offset);
}
int file_truncate(sqlite3_file* f, sqlite3_int64 size) noexcept {
  if (const int rc = flush(f); rc != SQLITE_OK) return rc;
  return real(f)->pMethods->xTruncate(real(f), size);
}
int file_sync(sqlite3_file* f, int flags) noexcept {
  if (const int rc = flush(f); rc != SQLITE_OK) return rc;
  return real(f)->pMethods->xSync(real(f), flags);
}
int file_size(sqlite3_file* f, sqlite3_int64* size) noexcept {
  if (const int rc = flush(f); rc != SQLITE_OK) return rc;
  return real(f)->pMethods->xFileSize(real(f), size);
}
int file_lock(sqlite3_file* f, int level) noexcept {
  if (const int rc = flush(f); rc != SQLITE_OK) return rc;
  return real(f)->pMethods->xLock(real(f), level);
}
int file_unlock(sqlite3_file* f, int level) noexcept {
  if (const int rc = flush(f); rc != SQLITE_OK) return rc;
  return real(f)->pMethods->xUnlock(real(f), level);
}
int check_reserved(sqlite3_file* f, int* out) noexcept {
  if (const int rc = flush(f); rc != SQLITE_OK) return rc;
  return real(f)->pMethods->xCheckReservedLock(real(f), out);
}
int file_control(sqlite3_file* f, int op, void* arg) noexcept {
  if (const int rc = flush(f); rc != SQLITE_OK) return rc;
  return real(f)->pMethods->xFileControl(real(f), op, arg);
}
int sector_size(sqlite3_file* f) noexcept {
  return real(f)->pMethods->xSectorSize(real(f));
}
int device_characteristics(sqlite3_file* f) noexcept {
  return real(f)->pMethods->xDeviceCharacteristics(real(f));
}
int shm_map(sqlite3_file* f, int region, int size, int extend, void volatile** out) noexcept {
  return real(f)->pMethods->xShmMap(real(f), region, size, extend, out);
}
int shm_lock(sqlite3_file* f, int offset, int n, int flags) noexcept {
  return real(f)->pMethods->xShmLock(real(f), offset, n, flags);
}
void shm_barrier(sqlite3_file* f) noexcept {
  real(f)->pMethods->xShmBarrier(real(f));
}
int shm_unmap(sqlite3_file* f, int remove) noexcept {
  return real(f)->pMethods->xShmUnmap(real(f), remove);
}
int file_fetch(sqlite3_file* f, sqlite3_int64 offset, int amount, void** out) noexcept {
  if (const int rc = flush(f); rc != SQLITE_OK) return rc;
  return real(f)->pMethods->xFetch(real(f), offset, amount, out);
}
int file_unfetch(sqlite3_file* f, sqlite3_int64 offset, void* page) noexcept {
  return real(f)->pMethods->xUnfetch(real(f), offset, page);
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
int vfs_delete(sqlite3_vfs* v, const char* name, int sync_dir) noexcept {
  return next_of(v)->xDelete(next_of(v), name, sync_dir);
}
int vfs_access(sqlite3_vfs* v, const char* name, int flags, int* out) noexcept {
  return next_of(v)->xAccess(next_of(v), name, flags, out);
}
int full_pathname(sqlite3_vfs* v, const char* name, int n, char* out) noexcept {
  return next_of(v)->xFullPathname(next_of(v), name, n, out);
}
void* dl_open(sqlite3_vfs* v, const char* name) noexcept {
  return next_of(v)->xDlOpen(next_of(v), name);
}
void dl_error(sqlite3_vfs* v, int n, char* out) noexcept {
  next_of(v)->xDlError(next_of(v), n, out);
}
void (*dl_sym(sqlite3_vfs* v, void* handle, const char* symbol))() {
  return next_of(v)->xDlSym(next_of(v), handle, symbol);
}
void dl_close(sqlite3_vfs* v, void* handle) noexcept {
  next_of(v)->xDlClose(next_of(v), handle);
}
int vfs_randomness(sqlite3_vfs* v, int n, char* out) noexcept {
  return next_of(v)->xRandomness(next_of(v), n, out);
}
int vfs_sleep(sqlite3_vfs* v, int micros) noexcept {
  return next_of(v)->xSleep(next_of(v), micros);
}
int current_time(sqlite3_vfs* v, double* out) noexcept {
  return next_of(v)->xCurrentTime(next_of(v), out);
}
int last_error(sqlite3_vfs* v, int n, char* out) noexcept {
  return next_of(v)->xGetLastError(next_of(v), n, out);
}
int current_time_ms(sqlite3_vfs* v, sqlite3_int64* out) noexcept {
  return next_of(v)->xCurrentTimeInt64(next_of(v), out);
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
    m.xRead = file_read;
    m.xWrite = file_write;
    m.xTruncate = file_truncate;
    m.xSync = file_sync;
    m.xFileSize = file_size;
    m.xLock = file_lock;
    m.xUnlock = file_unlock;
    m.xCheckReservedLock = check_reserved;
    m.xFileControl = file_control;
    m.xSectorSize = sector_size;
    m.xDeviceCharacteristics = device_characteristics;
    if (v >= 2) {
      m.xShmMap = shm_map;
      m.xShmLock = shm_lock;
      m.xShmBarrier = shm_barrier;
      m.xShmUnmap = shm_unmap;
    }
    if (v >= 3) {
      m.xFetch = file_fetch;
      m.xUnfetch = file_unfetch;
    }
  }
  layered.iVersion = 2;
  layered.szOsFile = static_cast<int>(sizeof(layered_file)) + below->szOsFile;
  layered.mxPathname = below->mxPathname;
  layered.zName = "chatdesk";
  layered.pAppData = below;
  layered.xOpen = vfs_open;
  layered.xDelete = vfs_delete;
  layered.xAccess = vfs_access;
  layered.xFullPathname = full_pathname;
  layered.xDlOpen = dl_open;
  layered.xDlError = dl_error;
  layered.xDlSym = dl_sym;
  layered.xDlClose = dl_close;
  layered.xRandomness = vfs_randomness;
  layered.xSleep = vfs_sleep;
  layered.xCurrentTime = current_time;
  layered.xGetLastError = last_error;
  layered.xCurrentTimeInt64 = current_time_ms;
  if (sqlite3_vfs_register(&layered, 0) != SQLITE_OK) return nullptr;
  return layered.zName;
}

}  // namespace

const char* batching_vfs() noexcept {
  static const char* const name = register_layer();
  return name;
}

}  // namespace chatdesk::detail::sqlite
