# SPDX-License-Identifier: MIT
# Read by cpack itself (CPACK_PROJECT_CONFIG_FILE). CMake 3.25's CPackRPM decides whether rpmbuild supports weak
# dependencies by running ${RPM_EXECUTABLE} --suggests, but never sets RPM_EXECUTABLE, so Suggests: is dropped.
if(CPACK_GENERATOR STREQUAL "RPM" AND NOT RPM_EXECUTABLE)
  find_program(RPM_EXECUTABLE rpm)
endif()
