# Every third-party library chronowatch uses, found once here (all are Debian 12 packages that
# scripts/install-deps installs). Modules link the imported targets they need.
find_package(Threads REQUIRED)
find_package(OpenSSL 3 REQUIRED)
find_package(tl-expected REQUIRED)
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
find_package(CLI11 REQUIRED)
find_package(nlohmann_json REQUIRED)
find_package(msgpack REQUIRED)  # target msgpackc-cxx
find_package(yaml-cpp REQUIRED)
find_package(cppzmq REQUIRED)
find_path(CW_PAHO_MQTT_INCLUDE MQTTAsync.h REQUIRED)  # Paho C headers; the library is dlopened
find_package(SQLiteCpp REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(PCAP REQUIRED IMPORTED_TARGET libpcap)
# NTS (RFC 8915): AEAD_AES_SIV_CMAC_256 from nettle, as chrony does (see src/ntp/nts/aead.h).
pkg_check_modules(NETTLE REQUIRED IMPORTED_TARGET nettle)
# libzmq and libpcap are not linked into our programs: src/platform/lazy_{zmq,pcap}.cpp load them
# with dlopen on first use (why: src/platform/lazy_library.h). These targets carry their headers.
add_library(cw_zmq_headers INTERFACE)
get_target_property(cw_zmq_includes cppzmq INTERFACE_INCLUDE_DIRECTORIES)
target_include_directories(cw_zmq_headers INTERFACE ${cw_zmq_includes})
add_library(cw_pcap_headers INTERFACE)
target_include_directories(cw_pcap_headers INTERFACE ${PCAP_INCLUDE_DIRS})
# SQLite and yaml-cpp are linked from their static archives (in the same -dev packages): only the
# code we call is touched, and a command that never opens a database (the agent) pays nothing
# for libsqlite3.so's loading (~250 kB resident each, see docs/agent.md "Memory").
find_library(CW_SQLITE3_ARCHIVE NAMES libsqlite3.a)
if(CW_SQLITE3_ARCHIVE)
  set_property(TARGET SQLite::SQLite3 PROPERTY IMPORTED_LOCATION ${CW_SQLITE3_ARCHIVE})
endif()
find_library(CW_YAML_CPP_ARCHIVE NAMES libyaml-cpp.a)
if(CW_YAML_CPP_ARCHIVE)
  set_property(TARGET yaml-cpp PROPERTY IMPORTED_LOCATION_NONE ${CW_YAML_CPP_ARCHIVE})
endif()
if(CW_TESTS)
  find_package(GTest REQUIRED)
endif()
if(CW_BENCH)
  find_package(benchmark REQUIRED)
endif()
find_package(Boost 1.74 REQUIRED)  # headers only: Beast + Asio for the console (src/web)
# libpq (PostgreSQL's client) is not linked either: src/store/postgres/lazy_pq.cpp opens it on
# first use, so commands that never talk to PostgreSQL do not map it. This target carries its
# headers (libpq-dev).
pkg_check_modules(PQ REQUIRED libpq)
add_library(cw_pq_headers INTERFACE)
target_include_directories(cw_pq_headers INTERFACE ${PQ_INCLUDE_DIRS})
# libcurl: only its headers (libcurl4-openssl-dev); platform/http_client.cpp opens libcurl.so.4
# with dlopen on first use, like libzmq and libpcap.
find_path(CW_CURL_INCLUDE_DIR curl/curl.h REQUIRED)
add_library(cw_curl_headers INTERFACE)
target_include_directories(cw_curl_headers INTERFACE ${CW_CURL_INCLUDE_DIR})
# libseccomp (libseccomp-dev): the seccomp filter of serve and the agent (platform/syscall_filter),
# from its static archive so that the agent maps no more shared libraries for it.
pkg_check_modules(SECCOMP REQUIRED IMPORTED_TARGET libseccomp)
find_library(CW_SECCOMP_ARCHIVE NAMES libseccomp.a)
add_library(cw_seccomp INTERFACE)
target_include_directories(cw_seccomp INTERFACE ${SECCOMP_INCLUDE_DIRS})
if(CW_SECCOMP_ARCHIVE)
  target_link_libraries(cw_seccomp INTERFACE ${CW_SECCOMP_ARCHIVE})
else()
  target_link_libraries(cw_seccomp INTERFACE PkgConfig::SECCOMP)
endif()
# zlib (zlib1g-dev, already pulled in by libcurl4-openssl-dev): the store's warm tier compresses
# its per-agent, per-hour blocks (store/warm_tier.cpp). Linked as the shared library: Debian's
# policy (and lintian's embedded-library error) wants zlib shared; only the full `chronowatch`
# binary links the store, never the agent's.
find_package(ZLIB REQUIRED)
add_library(cw_zlib INTERFACE)
target_link_libraries(cw_zlib INTERFACE ZLIB::ZLIB)
