# Thin wrapper around the CMake build. The two commands of the quick start:
#   make run    installs missing packages, builds, boots the bundled guest
#   make test   installs missing packages, builds, runs the whole suite (CTest)
BUILD   ?= build
TYPE    ?= Release
JOBS    ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all deps configure build run test bench asan update-goldens clean

all: build

deps:
	@./scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=$(TYPE) $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

run: build
	./$(BUILD)/frontend/bootscope run $(ARGS)

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# The benchmark suite (bench/): every workload on Bootscope, QEMU TCG and
# natively, and the guest's boot; a table of medians, also written to
# bench/results/bench-DATE.json. BENCH_ARGS=--quick: 3 rounds instead of 5
# (bench/suite/main.cpp lists the options).
BENCH_ARGS ?=
bench: build
	./$(BUILD)/bench/bench_suite $(BENCH_ARGS)

# Rewrites the golden boot traces (tests/trace/golden) after an intended
# change; review the diff before committing it.
update-goldens: build
	cd $(BUILD) && UPDATE_GOLDENS=1 ctest -R trace_golden --output-on-failure

# Debug build with AddressSanitizer and UBSan, tests included.
asan:
	$(MAKE) test BUILD=build-asan TYPE=Debug CMAKE_FLAGS="-DBOOTSCOPE_SANITIZE=ON"

clean:
	rm -rf build build-asan
