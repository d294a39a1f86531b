// store/postgres/lazy_pq.cpp — the libpq functions chronowatch calls, loaded on first use
// (platform/lazy_library.h explains why: a command that never opens PostgreSQL, the agent, does
// not map libpq and its Kerberos/LDAP/TLS dependencies). A new PQ* call that is not listed here
// fails to link with "undefined reference": add one line below.
#include <libpq-fe.h>

#include "platform/lazy_library.h"

namespace {
cw::platform::LazyLibrary& libpq() {
  static cw::platform::LazyLibrary library{"libpq.so.5", "libpq5"};
  return library;
}
}  // namespace

// clang-format off
CW_LAZY_FUNCTION(libpq(), PGconn*, PQconnectdbParams,
                 (const char* const* k, const char* const* v, int e),
                 (k, v, e))
CW_LAZY_FUNCTION(libpq(), ConnStatusType, PQstatus, (const PGconn* c), (c))
CW_LAZY_FUNCTION(libpq(), char*, PQerrorMessage, (const PGconn* c), (c))
CW_LAZY_FUNCTION(libpq(), void, PQfinish, (PGconn* c), (c))
CW_LAZY_FUNCTION(libpq(), char*, PQdb, (const PGconn* c), (c))
CW_LAZY_FUNCTION(libpq(), char*, PQhost, (const PGconn* c), (c))
CW_LAZY_FUNCTION(libpq(), char*, PQport, (const PGconn* c), (c))
CW_LAZY_FUNCTION(libpq(), PQnoticeProcessor, PQsetNoticeProcessor,
                 (PGconn* c, PQnoticeProcessor p, void* a),
                 (c, p, a))
CW_LAZY_FUNCTION(libpq(), PGresult*, PQexec, (PGconn* c, const char* q), (c, q))
CW_LAZY_FUNCTION(libpq(), PGresult*, PQexecParams,
                 (PGconn* c, const char* q, int n, const Oid* t, const char* const* v,
                  const int* l, const int* f, int r),
                 (c, q, n, t, v, l, f, r))
CW_LAZY_FUNCTION(libpq(), ExecStatusType, PQresultStatus, (const PGresult* r), (r))
CW_LAZY_FUNCTION(libpq(), char*, PQresultErrorMessage, (const PGresult* r), (r))
CW_LAZY_FUNCTION(libpq(), char*, PQresultErrorField, (const PGresult* r, int f), (r, f))
CW_LAZY_FUNCTION(libpq(), void, PQclear, (PGresult* r), (r))
CW_LAZY_FUNCTION(libpq(), int, PQntuples, (const PGresult* r), (r))
CW_LAZY_FUNCTION(libpq(), char*, PQgetvalue, (const PGresult* r, int t, int f), (r, t, f))
CW_LAZY_FUNCTION(libpq(), int, PQgetlength, (const PGresult* r, int t, int f), (r, t, f))
CW_LAZY_FUNCTION(libpq(), int, PQgetisnull, (const PGresult* r, int t, int f), (r, t, f))
CW_LAZY_FUNCTION(libpq(), int, PQputCopyData, (PGconn* c, const char* b, int n), (c, b, n))
CW_LAZY_FUNCTION(libpq(), int, PQputCopyEnd, (PGconn* c, const char* e), (c, e))
CW_LAZY_FUNCTION(libpq(), PGresult*, PQgetResult, (PGconn* c), (c))
CW_LAZY_FUNCTION(libpq(), PGTransactionStatusType, PQtransactionStatus, (const PGconn* c), (c))
CW_LAZY_FUNCTION(libpq(), char*, PQcmdTuples, (PGresult* r), (r))
CW_LAZY_FUNCTION(libpq(), int, PQsocket, (const PGconn* c), (c))
CW_LAZY_FUNCTION(libpq(), int, PQconsumeInput, (PGconn* c), (c))
CW_LAZY_FUNCTION(libpq(), PGnotify*, PQnotifies, (PGconn* c), (c))
CW_LAZY_FUNCTION(libpq(), void, PQfreemem, (void* p), (p))
// clang-format on
