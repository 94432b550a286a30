# SPDX-License-Identifier: MIT
# The two commands the README opens with; the real build is CMake (CMakeLists.txt).
BUILD ?= build
BUILD_ASAN ?= build-asan
CTEST = ctest --output-on-failure --no-tests=error
ARGS ?=

.PHONY: all run test test-plain test-asan deps deps-test bench clean package

all: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(BUILD) -j2

run: all
	./$(BUILD)/vmdoctor $(ARGS)

deps:
	./packaging/install-deps.sh build

deps-test:
	./packaging/install-deps.sh test

test: deps-test test-plain test-asan

test-plain:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVMDOCTOR_WERROR=ON
	cmake --build $(BUILD) -j2
	cd $(BUILD) && $(CTEST)

test-asan:
	cmake -S . -B $(BUILD_ASAN) -DCMAKE_BUILD_TYPE=Debug -DVMDOCTOR_WERROR=ON -DVMDOCTOR_SANITIZE=ON
	cmake --build $(BUILD_ASAN) -j2
	cd $(BUILD_ASAN) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 $(CTEST)

# The .deb and the .rpm of a release build, in $(BUILD) (packaging/CMakeLists.txt). The prefix is given because
# the paths a package installs to (/etc/vmdoctor) are compiled in, and an older build folder may hold /usr/local.
package:
	./packaging/install-deps.sh package
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX:PATH=/usr
	cmake --build $(BUILD) -j2
	cd $(BUILD) && cpack -G "DEB;RPM"

bench: all
	./bench/check-vs-virt-host-validate.sh $(BUILD)/vmdoctor

clean:
	rm -rf $(BUILD) $(BUILD_ASAN)
