/* SPDX-License-Identifier: MIT */
/* Benchmark of the log scanner: generates a synthetic kernel log, scans it with every signature, prints MB/s. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "vmdoctor/logscan.h"

/*
 * bench_logscan --generate FILE MIB   write MIB MiB of dmesg-style lines (seeded, so reproducible)
 * bench_logscan --scan FILE           scan FILE with every signature (all source kinds) and report
 * bench_logscan --print-patterns      the same signatures as POSIX ERE, one per line (for grep -E)
 * bench_logscan --print-needles       the first literal of each signature, one per line (for grep -F)
 */

#define MATCH_EVERY 20000       /* one signature example every this many lines */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t rng(void)
{
	/* xorshift64*: fast and good enough for filler text */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545f4914f6cdd1dull) >> 32);
}

static const char *const words[] = {
	"device", "enabled", "disabled", "failed", "link", "up", "down", "firmware", "loaded", "version",
	"queue", "buffer", "timeout", "reset", "port", "controller", "interrupt", "memory", "region",
	"reserved", "mapped", "driver", "module", "kvm", "bios", "virtualization", "socket", "permission",
	"denied", "support", "hardware", "found", "not", "available", "registered", "new", "using",
	"power", "state", "entered", "forwarding", "blocking", "disabling", "initialized", "probe",
};
#define NWORDS (sizeof words / sizeof words[0])

static const char *const units[] = { "eno1", "wlp2s0", "virbr0", "vnet0", "docker0", "br-lan", "enp3s0" };
static const char *const services[] = { "NetworkManager", "systemd-resolved", "libvirtd", "cups", "snapd",
					"packagekit", "fwupd", "bluetooth", "thermald", "gdm" };

/* One filler line (without the timestamp) into buf; returns its length. */
static int filler(char *buf, size_t len)
{
	unsigned r = rng();
	switch (r % 14) {
	case 0:
		return snprintf(buf, len, "usb %u-%u: new high-speed USB device number %u using xhci_hcd", r >> 8 & 3,
				r >> 10 & 7, r >> 13 & 127);
	case 1:
		return snprintf(buf, len, "e1000e 0000:00:1f.6 %s: NIC Link is Up 1000 Mbps Full Duplex, Flow Control: "
				"Rx/Tx", units[(r >> 8) % 7]);
	case 2:
		return snprintf(buf, len, "audit: type=1400 audit(%u.%03u:%u): apparmor=\"STATUS\" "
				"operation=\"profile_load\" profile=\"unconfined\" name=\"/usr/bin/%s\" pid=%u "
				"comm=\"apparmor_parser\"", 1714500000 + (r >> 8), r % 1000, r >> 20,
				services[(r >> 4) % 10], r >> 16);
	case 3:
		return snprintf(buf, len, "audit: type=1400 audit(%u.%03u:%u): apparmor=\"DENIED\" operation=\"open\" "
				"class=\"file\" profile=\"snap.firefox.firefox\" name=\"/proc/%u/cgroup\" pid=%u "
				"comm=\"firefox\" requested_mask=\"r\" denied_mask=\"r\" fsuid=1000 ouid=0",
				1714500000 + (r >> 8), r % 1000, r >> 20, r >> 16, r >> 16);
	case 4:
		return snprintf(buf, len, "[UFW BLOCK] IN=%s OUT= MAC=01:00:5e:00:00:fb:%02x:%02x:%02x:%02x:%02x:%02x:08:00 "
				"SRC=192.168.%u.%u DST=224.0.0.251 LEN=%u TOS=0x00 PREC=0x00 TTL=255 ID=%u DF PROTO=UDP "
				"SPT=5353 DPT=5353 LEN=%u", units[r % 7], r & 255, r >> 8 & 255, r >> 16 & 255, r >> 24,
				r >> 4 & 255, r >> 12 & 255, r >> 20 & 255, r >> 6 & 255, 40 + (r >> 9 & 1023),
				r >> 3 & 65535, 20 + (r >> 9 & 1023));
	case 5:
		return snprintf(buf, len, "pci 0000:%02x:%02x.%u: [%04x:%04x] type 00 class 0x%06x", r & 255,
				r >> 8 & 31, r >> 13 & 7, r >> 16, r & 0xffff, r >> 8 & 0xffffff);
	case 6:
		return snprintf(buf, len, "EXT4-fs (nvme0n1p%u): mounted filesystem %08x-%04x-%04x with ordered data "
				"mode. Quota mode: none.", r & 7, r, r >> 16, r & 0xffff);
	case 7:
		return snprintf(buf, len, "%s: port %u(vnet%u) entered %s state", units[2], r & 7, r >> 3 & 15,
				r & 64 ? "forwarding" : "blocking");
	case 8:
		return snprintf(buf, len, "kvm: already loaded vendor module 'kvm_%s'", r & 1 ? "intel" : "amd");
	case 9:
		return snprintf(buf, len, "i915 0000:00:02.0: [drm] GuC firmware i915/tgl_guc_70.bin version 70.%u.%u",
				r & 31, r >> 5 & 7);
	case 10:
		return snprintf(buf, len, "%s: authenticate with %02x:%02x:%02x:%02x:%02x:%02x (local address=%02x:%02x:"
				"%02x:%02x:%02x:%02x)", units[1], r & 255, r >> 8 & 255, r >> 16 & 255, r >> 24,
				r >> 3 & 255, r >> 11 & 255, r >> 2 & 255, r >> 10 & 255, r >> 18 & 255, r >> 5 & 255,
				r >> 13 & 255, r >> 21 & 255);
	case 11:
		return snprintf(buf, len, "vboxdrv: Found %u processor cores/threads", 2 + (r >> 8 & 62));
	default: {
		/* a sentence of random words from a log-ish vocabulary */
		int n = snprintf(buf, len, "%s %s:", r & 1 ? "ACPI" : "pcieport", services[r % 10]);
		unsigned count = 6 + (r >> 8) % 12;
		for (unsigned i = 0; i < count && (size_t)n + 32 < len; i++)
			n += snprintf(buf + n, len - (size_t)n, " %s", words[rng() % NWORDS]);
		return n;
	}
	}
}

/* An example line without its own "[    5.1] " stamp: the generator adds one. */
static const char *example_text(const char *s)
{
	const char *end = s[0] == '[' ? strstr(s, "] ") : NULL;
	return end ? end + 2 : s;
}

static int generate(const char *path, unsigned long mib)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "bench_logscan: %s: %s\n", path, strerror(errno));
		return 1;
	}
	setvbuf(f, NULL, _IOFBF, 1 << 20);
	size_t nsigs;
	const struct logscan_sig *sigs = logscan_signatures(&nsigs);
	uint64_t want = (uint64_t)mib << 20, written = 0, line = 0;
	double t = 0.0;
	char text[1024];
	while (written < want) {
		t += (rng() % 5000) / 1e6;
		int n = line % MATCH_EVERY == MATCH_EVERY / 2
				? snprintf(text, sizeof text, "%s", example_text(sigs[(line / MATCH_EVERY) % nsigs].example))
				: filler(text, sizeof text);
		if (n < 0 || (size_t)n >= sizeof text)
			n = (int)strlen(text);
		int w = fprintf(f, "[%5lu.%06lu] %s\n", (unsigned long)t, (unsigned long)((t - (unsigned long)t) * 1e6),
				text);
		if (w < 0)
			break;
		written += (uint64_t)w;
		line++;
	}
	if (fclose(f) != 0) {
		fprintf(stderr, "bench_logscan: %s: %s\n", path, strerror(errno));
		return 1;
	}
	printf("wrote %s: %" PRIu64 " bytes, %" PRIu64 " lines\n", path, written, line);
	return 0;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int scan(const char *path)
{
	double t0 = now();
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		fprintf(stderr, "bench_logscan: %s: %s\n", path, strerror(errno));
		return 1;
	}
	size_t len = (size_t)st.st_size;
	const char *buf = len ? mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0) : "";
	if (buf == MAP_FAILED) {
		fprintf(stderr, "bench_logscan: %s: mmap: %s\n", path, strerror(errno));
		return 1;
	}
	close(fd);
	madvise((void *)buf, len, MADV_SEQUENTIAL);
	struct logscan *ls = logscan_new();
	struct logscan_result r = { 0 };
	double t1 = now();
	logscan_buffer(ls, path, LOGSCAN_ALL, buf, len, 1, &r);
	double t2 = now();
	size_t nsigs, hits = 0, with_hits = 0;
	const struct logscan_sig *sigs = logscan_signatures(&nsigs);
	/* each signature's total is in every kept match of it: take it once */
	for (size_t i = 0; i < nsigs; i++)
		for (size_t k = 0; k < r.count; k++)
			if (r.matches[k].sig == &sigs[i]) {
				hits += r.matches[k].hits;
				with_hits++;
				break;
			}
	for (size_t k = 0; k < r.count && k < 5; k++)
		printf("  %s:%u %s %s\n", r.matches[k].file, r.matches[k].line,
		       r.matches[k].code ? r.matches[k].code : "(info)", r.matches[k].text);
	double mb = (double)len / 1e6;
	printf("scanned %zu bytes with %zu signatures: %zu matching lines, %zu signature hits from %zu signatures, "
	       "%zu kept\n", len, nsigs, r.lines_hit, hits, with_hits, r.count);
	printf("scan %.3f s = %.0f MB/s; with mmap+populate %.3f s = %.0f MB/s\n", t2 - t1, mb / (t2 - t1), t2 - t0,
	       mb / (t2 - t0));
	logscan_result_free(&r);
	logscan_free(ls);
	if (len)
		munmap((void *)buf, len);
	return 0;
}

static void print_ere(const char *s)
{
	for (; *s; s++) {
		if (strchr(".[]()*+?{}|^$\\", *s))
			putchar('\\');
		putchar(*s);
	}
}

static int print_patterns(int ere)
{
	size_t n;
	const struct logscan_sig *sigs = logscan_signatures(&n);
	for (size_t i = 0; i < n; i++) {
		if (!ere) {
			puts(sigs[i].needle);
			continue;
		}
		print_ere(sigs[i].needle);
		if (sigs[i].also) {
			/* both fragments on one line, in either order, as the scanner requires */
			fputs(".*", stdout);
			print_ere(sigs[i].also);
			putchar('\n');
			print_ere(sigs[i].also);
			fputs(".*", stdout);
			print_ere(sigs[i].needle);
		}
		putchar('\n');
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "--generate") == 0)
		return generate(argv[2], strtoul(argv[3], NULL, 10));
	if (argc == 3 && strcmp(argv[1], "--scan") == 0)
		return scan(argv[2]);
	if (argc == 2 && strcmp(argv[1], "--print-patterns") == 0)
		return print_patterns(1);
	if (argc == 2 && strcmp(argv[1], "--print-needles") == 0)
		return print_patterns(0);
	fprintf(stderr, "usage: bench_logscan --generate FILE MIB | --scan FILE | --print-patterns | --print-needles\n");
	return 2;
}
