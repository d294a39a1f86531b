# What `cmake --install` puts where Debian wants it (deploy/debian runs it into debian/tmp): the
# two programs in bin/, the man pages generated from their --help (target man-pages, needs
# help2man), the systemd units in /lib/systemd/system and the example configs in /etc/chronowatch.
include(GNUInstallDirs)
install(TARGETS chronowatch chronowatch-agent RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

find_program(HELP2MAN help2man)
if(HELP2MAN)
  set(cw_man_dir ${PROJECT_BINARY_DIR}/man)
  add_custom_command(
    OUTPUT ${cw_man_dir}/man1/chronowatch.1 ${cw_man_dir}/man5/chronowatch.yaml.5
    COMMAND ${PROJECT_SOURCE_DIR}/scripts/man/make-pages $<TARGET_FILE:chronowatch>
            $<TARGET_FILE:chronowatch-agent> ${cw_man_dir} ${PROJECT_VERSION}
    DEPENDS chronowatch chronowatch-agent ${PROJECT_SOURCE_DIR}/scripts/man/make-pages
            ${PROJECT_SOURCE_DIR}/scripts/man/config-page.py
            ${PROJECT_SOURCE_DIR}/scripts/man/see-also.h2m
    COMMENT "man pages from --help (help2man)")
  add_custom_target(man-pages ALL DEPENDS ${cw_man_dir}/man1/chronowatch.1)
  install(DIRECTORY ${cw_man_dir}/ DESTINATION ${CMAKE_INSTALL_MANDIR})
else()
  message(STATUS "help2man not found: no man pages (scripts/install-deps installs it)")
endif()

# Absolute destinations: Debian's places, whatever the prefix (the packages use /usr).
install(DIRECTORY ${PROJECT_SOURCE_DIR}/deploy/systemd/ DESTINATION /lib/systemd/system
        FILES_MATCHING PATTERN "*.service")
install(DIRECTORY ${PROJECT_SOURCE_DIR}/deploy/config/ DESTINATION /etc/chronowatch
        FILES_MATCHING PATTERN "*.yaml")
