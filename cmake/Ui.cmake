# cmake/Ui.cmake — the dashboard's third-party assets. ui/static/ is embedded by src/web as it is;
# uPlot (pinned exactly in ui/package.json + package-lock.json) is installed from the npm registry
# with `npm ci` at configure time (again whenever the lock file changes) and its two dist files are
# handed to the embedder through CW_UI_EXTRA_ASSETS (entries URLPATH=FILEPATH).
include_guard(GLOBAL)
set(CW_UI_DIR ${PROJECT_SOURCE_DIR}/ui)
set(CW_UI_UPLOT_DIST ${CW_UI_DIR}/node_modules/uplot/dist)
set(CW_UI_STAMP ${PROJECT_BINARY_DIR}/ui-npm-ci.stamp)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
             ${CW_UI_DIR}/package.json ${CW_UI_DIR}/package-lock.json)

if(NOT EXISTS ${CW_UI_UPLOT_DIST}/uPlot.iife.min.js OR NOT EXISTS ${CW_UI_STAMP}
   OR ${CW_UI_DIR}/package-lock.json IS_NEWER_THAN ${CW_UI_STAMP})
  find_program(CW_NPM npm)
  if(NOT CW_NPM)
    message(FATAL_ERROR "the dashboard needs npm to install uPlot (ui/package.json): "
                        "install Node.js and npm (scripts/install-deps does), then configure again")
  endif()
  message(STATUS "ui: npm ci in ${CW_UI_DIR}")
  execute_process(COMMAND ${CW_NPM} ci --no-audit --no-fund --ignore-scripts
                  WORKING_DIRECTORY ${CW_UI_DIR} RESULT_VARIABLE npm_status
                  OUTPUT_VARIABLE npm_output ERROR_VARIABLE npm_output)
  if(NOT npm_status EQUAL 0 OR NOT EXISTS ${CW_UI_UPLOT_DIST}/uPlot.iife.min.js)
    message(FATAL_ERROR "ui: `npm ci` in ${CW_UI_DIR} failed (is the npm registry reachable?):\n"
                        "${npm_output}")
  endif()
  file(TOUCH ${CW_UI_STAMP})
endif()

set(CW_UI_EXTRA_ASSETS
    "vendor/uPlot.iife.min.js=${CW_UI_UPLOT_DIST}/uPlot.iife.min.js"
    "vendor/uPlot.min.css=${CW_UI_UPLOT_DIST}/uPlot.min.css")
