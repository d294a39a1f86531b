// store/postgres/pg_connection.cpp — libpq calls behind store/postgres/pg_connection.h.
#include "store/postgres/pg_connection.h"

#include <libpq-fe.h>
#include <poll.h>

#include <cstdlib>
#include <cstring>

#include "core/bytes.h"

namespace cw::store::pg {
namespace {

constexpr Oid kBool = 16, kBytea = 17, kInt8 = 20, kInt2 = 21;

std::string trimmed(const char* message) {
  std::string out = message ? message : "";
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

std::uint64_t be64(const char* p) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

std::string be_bytes(std::uint64_t value, int size) {
  std::string out(static_cast<std::size_t>(size), '\0');
  for (int i = size - 1; i >= 0; --i, value >>= 8)
    out[static_cast<std::size_t>(i)] = static_cast<char>(value & 0xff);
  return out;
}

void quiet(void*, const char*) {}  // NOTICEs (e.g. "relation already exists, skipping")

}  // namespace

void Params::add(unsigned type, std::string value, bool is_null) {
  types_.push_back(type);
  values_.push_back(std::move(value));
  nulls_.push_back(is_null);
}
Params& Params::bytes(std::string_view value) { return add(kBytea, std::string{value}), *this; }
Params& Params::int64(std::int64_t value) {
  return add(kInt8, be_bytes(static_cast<std::uint64_t>(value), 8)), *this;
}
Params& Params::int16(std::int16_t value) {
  return add(kInt2, be_bytes(static_cast<std::uint16_t>(value), 2)), *this;
}
Params& Params::boolean(bool value) { return add(kBool, std::string(1, value ? 1 : 0)), *this; }
Params& Params::null_int64() { return add(kInt8, {}, true), *this; }

void Result::Clear::operator()(pg_result* r) const { PQclear(r); }
Result::Result(pg_result* result) : result_(result) {}
int Result::rows() const { return PQntuples(result_.get()); }
bool Result::is_null(int row, int column) const {
  return PQgetisnull(result_.get(), row, column) != 0;
}
std::string_view Result::bytes(int row, int column) const {
  return {PQgetvalue(result_.get(), row, column),
          static_cast<std::size_t>(PQgetlength(result_.get(), row, column))};
}
std::int64_t Result::int64(int row, int column) const {
  return static_cast<std::int64_t>(be64(PQgetvalue(result_.get(), row, column)));
}
std::int64_t Result::text_int64(int row, int column) const {
  return std::strtoll(PQgetvalue(result_.get(), row, column), nullptr, 10);
}
std::int16_t Result::int16(int row, int column) const {
  const auto* p = reinterpret_cast<const unsigned char*>(PQgetvalue(result_.get(), row, column));
  return static_cast<std::int16_t>((p[0] << 8) | p[1]);
}
bool Result::boolean(int row, int column) const {
  return PQgetvalue(result_.get(), row, column)[0] != 0;
}

std::int64_t Result::affected() const {
  const char* tag = PQcmdTuples(result_.get());
  return tag && *tag ? std::strtoll(tag, nullptr, 10) : 0;
}

namespace {

// libpq waits for an unreachable host as long as the kernel's TCP connect does (minutes), with
// every thread that opens a connection stuck behind it. Unless the URL or PGCONNECT_TIMEOUT says
// otherwise, give up after 10 s: the caller's retry then logs the failure and tries again.
PGconn* connect_bounded(const std::string& conninfo) {
  const bool from_environment = std::getenv("PGCONNECT_TIMEOUT") != nullptr;
  // connect_timeout first: parameters expanded from the conninfo (dbname) override it.
  const char* keywords[] = {"connect_timeout", "dbname", nullptr};
  const char* values[] = {"10", conninfo.c_str(), nullptr};
  const int first = from_environment ? 1 : 0;
  return PQconnectdbParams(keywords + first, values + first, 1);
}

}  // namespace

Connection::Connection(std::string conninfo) : conninfo_(std::move(conninfo)) {
  conn_ = connect_bounded(conninfo_);
  if (PQstatus(conn_) != CONNECTION_OK) {
    const auto message = trimmed(PQerrorMessage(conn_));
    PQfinish(conn_);
    conn_ = nullptr;
    throw PgError("cannot connect to PostgreSQL: " + message, "08001", true);
  }
  PQsetNoticeProcessor(conn_, quiet, nullptr);
  const std::string host = PQhost(conn_) ? PQhost(conn_) : "";
  name_ = std::string{"database "} + PQdb(conn_) + " on " + host + ":" + PQport(conn_);
}

Connection::~Connection() {
  if (conn_) PQfinish(conn_);
}

bool Connection::healthy() const {
  return conn_ && PQstatus(conn_) == CONNECTION_OK && PQtransactionStatus(conn_) == PQTRANS_IDLE;
}

void Connection::fail(pg_result* result, const std::string& what) {
  const char* field = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const std::string state = field ? field : "";  // copied: PQclear frees it
  auto message = trimmed(result ? PQresultErrorMessage(result) : nullptr);
  if (message.empty()) message = trimmed(PQerrorMessage(conn_));
  const bool lost = PQstatus(conn_) != CONNECTION_OK;
  if (result) PQclear(result);
  throw PgError(name_ + ": " + what + ": " + message, state, lost);
}

Result Connection::check(pg_result* result, const std::string& what) {
  const auto status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail(result, what);
  return Result{result};
}

Result Connection::exec(const std::string& sql) {
  return check(PQexec(conn_, sql.c_str()), sql.substr(0, 60));
}

Result Connection::exec(const std::string& sql, const Params& params) {
  std::vector<const char*> values;
  std::vector<int> lengths, formats(params.size(), 1);
  for (std::size_t i = 0; i < params.size(); ++i) {
    values.push_back(params.nulls_[i] ? nullptr : params.values_[i].data());
    lengths.push_back(static_cast<int>(params.values_[i].size()));
  }
  return check(PQexecParams(conn_, sql.c_str(), static_cast<int>(params.size()),
                            params.types_.data(), values.data(), lengths.data(), formats.data(),
                            /*resultFormat=*/1),
               sql.substr(0, 60));
}

bool Connection::wait_notification(int timeout_ms) {
  const auto drain = [this] {
    bool any = false;
    while (auto* note = PQnotifies(conn_)) any = true, PQfreemem(note);
    return any;
  };
  if (drain()) return true;
  pollfd fd{PQsocket(conn_), POLLIN, 0};
  if (fd.fd < 0) fail(nullptr, "LISTEN");
  if (::poll(&fd, 1, timeout_ms) <= 0) return false;
  if (PQconsumeInput(conn_) != 1) fail(nullptr, "LISTEN");
  return drain();
}

std::int64_t Connection::copy_in(const std::string& copy_sql, std::span<const std::byte> data) {
  auto* started = PQexec(conn_, copy_sql.c_str());  // statements before the COPY run first
  if (!started || PQresultStatus(started) != PGRES_COPY_IN) fail(started, "COPY");
  PQclear(started);
  constexpr std::size_t kChunk = 1 << 20;
  for (std::size_t at = 0; at < data.size(); at += kChunk) {
    const auto n = std::min(kChunk, data.size() - at);
    if (PQputCopyData(conn_, reinterpret_cast<const char*>(data.data() + at),
                      static_cast<int>(n)) != 1)
      fail(nullptr, "COPY data");
  }
  if (PQputCopyEnd(conn_, nullptr) != 1) fail(nullptr, "COPY end");
  // The COPY's result, then those of the statements after it in `copy_sql` (none after an error).
  auto* done = PQgetResult(conn_);
  pg_result* failed = nullptr;
  while (auto* more = PQgetResult(conn_)) {  // the connection idle again, even on error
    const auto status = PQresultStatus(more);
    if (!failed && status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
      failed = more;
    else
      PQclear(more);
  }
  if (failed) PQclear(done), fail(failed, copy_sql.substr(0, 60));
  return check(done, "COPY").affected();
}

}  // namespace cw::store::pg
