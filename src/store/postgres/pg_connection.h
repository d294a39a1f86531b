// store/postgres/pg_connection.h — one libpq connection (RAII), its results, and the few ways
// the store talks to the server: a statement with binary parameters and binary results, and a
// binary COPY. Errors throw PgError with the server's message and SQLSTATE.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

struct pg_conn;
struct pg_result;

namespace cw::store::pg {

class PgError : public std::runtime_error {
 public:
  PgError(const std::string& message, std::string sqlstate, bool connection_lost)
      : std::runtime_error(message), sqlstate_(std::move(sqlstate)), lost_(connection_lost) {}
  const std::string& sqlstate() const { return sqlstate_; }
  bool connection_lost() const { return lost_; }

 private:
  std::string sqlstate_;
  bool lost_;
};

// Parameters, all sent in binary: bytea (raw bytes), bigint, smallint, boolean, or NULL.
class Params {
 public:
  Params& bytes(std::string_view value);
  Params& int64(std::int64_t value);
  Params& int16(std::int16_t value);
  Params& boolean(bool value);
  Params& null_int64();
  std::size_t size() const { return types_.size(); }

 private:
  friend class Connection;
  void add(unsigned type, std::string value, bool is_null = false);
  std::vector<unsigned> types_;
  std::vector<std::string> values_;
  std::vector<bool> nulls_;
};

// A result whose columns are in binary form.
class Result {
 public:
  explicit Result(pg_result* result);
  int rows() const;
  bool is_null(int row, int column) const;
  std::string_view bytes(int row, int column) const;
  std::int64_t int64(int row, int column) const;
  std::int64_t text_int64(int row, int column) const;  // a simple query's (text) bigint
  std::int16_t int16(int row, int column) const;
  bool boolean(int row, int column) const;
  std::int64_t affected() const;  // rows an INSERT/UPDATE/DELETE touched (its command tag)

 private:
  struct Clear {
    void operator()(pg_result* r) const;
  };
  std::unique_ptr<pg_result, Clear> result_;
};

class Connection {
 public:
  // Connects (throws PgError naming the server on failure).
  explicit Connection(std::string conninfo);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  Result exec(const std::string& sql);  // simple query, may hold several statements
  Result exec(const std::string& sql, const Params& params);
  // COPY … FROM STDIN (FORMAT binary) with `data` as the whole stream; the rows it stored.
  // `copy_sql` may be several statements around one COPY (one round trip for all of them): those
  // before it run first, those after it once the data is in; the first failure throws.
  std::int64_t copy_in(const std::string& copy_sql, std::span<const std::byte> data);

  // Waits up to `timeout_ms` for a NOTIFY on a channel this connection LISTENs to; true when one
  // (or more) arrived, their payloads discarded. Throws PgError when the connection is lost.
  bool wait_notification(int timeout_ms);

  bool healthy() const;  // the connection is up and not inside a failed transaction
  const std::string& name() const { return name_; }  // "dbname on host:port", for messages

 private:
  [[noreturn]] void fail(pg_result* result, const std::string& what);
  Result check(pg_result* result, const std::string& what);
  std::string conninfo_;
  pg_conn* conn_ = nullptr;
  std::string name_;
};

}  // namespace cw::store::pg
