// SPDX-License-Identifier: GPL-2.0
/*
 * Recoverable faults end to end, against hardware we did not write:
 * QEMU's VT-d page request queue (scalable mode, svm=on) and the pri-test
 * device (qemu/patches), which translates through ATS and, for a page that
 * does not translate, sends a PCIe page request group and waits for the
 * answer. As a VMM does: the device, bound to vfio-pci, is bound to
 * iommufd through its VFIO cdev and attached at its RID to a paging HWPT
 * with a fault queue. Page requests come without PASID.
 *
 *   pri_fault /dev/vfio/devices/vfioN /sys/bus/pci/devices/BDF
 *   pri_fault /dev/vfio/devices/vfioN /sys/bus/pci/devices/BDF demo SECONDS
 *
 * The second form is make run DEVICE=pri's demo (see demo()).
 *
 * The device's own counters and its last Response Code are the oracle:
 * the code is the PCIe PRG Response Message's (0h Success, 1h Invalid
 * Request, Fh Response Failure), decoded by QEMU's VT-d model from the
 * Page Group Response Descriptor the kernel wrote (VT-d: Response Code
 * 0h Success, 1h Invalid Request, Fh Response Failure).
 *
 * Prints TAP; exits non-zero on any failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/iommufd.h>
#include <linux/vfio.h>

/* pri-test's registers (QEMU docs/specs/pri-test.rst, our patch 0003) */
#define PT_ID			0x00
#define PT_IOVA			0x08
#define PT_LENGTH		0x10
#define PT_CTRL			0x14
#define PT_CTRL_WRITE		0x1
#define PT_PATTERN		0x18
#define PT_DOORBELL		0x1c
#define PT_STATUS		0x20
#define PT_MISMATCH		0x24
#define PT_REQUESTS		0x28
#define PT_GROUPS		0x2c
#define PT_RESP_SUCCESS		0x30
#define PT_RESP_INVALID		0x34
#define PT_RESP_FAILURE		0x38
#define PT_RESP_STRAY		0x3c
#define PT_MAX_OUTSTANDING	0x40
#define PT_OUTSTANDING		0x44
#define PT_LAST_CODE		0x50
#define PT_ID_VALUE		0x50524954

#define PT_STATE(st)		((st) & 3)
#define PT_ERROR(st)		(((st) >> 4) & 0xf)
#define PT_BUSY			1
#define PT_DONE			2
#define PT_FAILED		3
#define PT_ERR_RESPONSE		1
#define PT_RESPONDED(st)	((st) & 0x100)	/* a response came */

/* PCIe PRG Response Message, Response Code (PCIe, Page Request Interface) */
#define PCIE_PRG_SUCCESS	0x0
#define PCIE_PRG_INVALID	0x1

/*
 * The PRI Extended Capability (PCIe, Page Request Interface), at the
 * offset pri-test puts it: Control [04h] bit 0 Enable; Status [06h] bit 0
 * Response Failure, bit 1 Unexpected PRG Index, bit 8 Stopped;
 * Outstanding Page Request Allocation at 0Ch.
 */
#define PRI_CAP			0x110
#define PRI_CTRL		(PRI_CAP + 0x4)
#define PRI_STATUS		(PRI_CAP + 0x6)
#define PRI_ALLOC		(PRI_CAP + 0xc)

#define NR_TESTS		20
#define PAGE			4096UL
#define NPAGES			16

static int failed, nr;
static volatile uint8_t *bar0;
static int iommufd, devfd, cfgfd;
static uint32_t ioas_id, dev_id;
static uint8_t *mem;	/* NPAGES * 4 pages the tests map on demand */
/* What the device must have heard, counted as the program goes */
static uint32_t want_success, want_invalid;

static void result(int ok, const char *what)
{
	nr++;
	printf("%sok %d %s\n", ok ? "" : "not ", nr, what);
	fflush(stdout);
	failed |= !ok;
}

#define CHECK(call)                                                       \
	do {                                                              \
		if ((call) < 0) {                                         \
			printf("# %s: %s\n", #call, strerror(errno));     \
			result(0, #call);                                 \
			exit(1);                                          \
		}                                                         \
	} while (0)

static uint32_t rd(unsigned int reg)
{
	return *(volatile uint32_t *)(bar0 + reg);
}

static void wr(unsigned int reg, uint32_t val)
{
	*(volatile uint32_t *)(bar0 + reg) = val;
}

static void wr64(unsigned int reg, uint64_t val)
{
	*(volatile uint64_t *)(bar0 + reg) = val;
}

static void msleep(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static uint16_t cfg16(unsigned int off)
{
	uint16_t v = 0;

	if (pread(cfgfd, &v, sizeof(v), off) != sizeof(v))
		return 0xffff;
	return v;
}

static uint32_t cfg32(unsigned int off)
{
	uint32_t v = 0;

	if (pread(cfgfd, &v, sizeof(v), off) != sizeof(v))
		return 0xffffffff;
	return v;
}

struct counters {
	uint32_t requests, groups, success, invalid, failure, stray;
};

static void counters(struct counters *c)
{
	c->requests = rd(PT_REQUESTS);
	c->groups = rd(PT_GROUPS);
	c->success = rd(PT_RESP_SUCCESS);
	c->invalid = rd(PT_RESP_INVALID);
	c->failure = rd(PT_RESP_FAILURE);
	c->stray = rd(PT_RESP_STRAY);
}

static void print_counters(const char *when)
{
	struct counters c;

	counters(&c);
	printf("# device %s: status 0x%x, last code 0x%x, %u requests in %u groups, answers: %u success, %u invalid, %u failure, %u unexpected; most outstanding %u\n",
	       when, rd(PT_STATUS), rd(PT_LAST_CODE), c.requests, c.groups,
	       c.success, c.invalid, c.failure, c.stray,
	       rd(PT_MAX_OUTSTANDING));
}

/* Start a transfer: the device fills or checks (pattern + i) & 0xff */
static void dma_start(uint64_t iova, uint32_t len, int write, uint8_t pattern)
{
	wr64(PT_IOVA, iova);
	wr(PT_LENGTH, len);
	wr(PT_CTRL, write ? PT_CTRL_WRITE : 0);
	wr(PT_PATTERN, pattern);
	wr(PT_DOORBELL, 1);
}

/* Wait until the device is no longer busy; its status, or 0 on timeout */
static uint32_t dma_wait(int ms)
{
	uint32_t st;

	for (; ms > 0; ms -= 5) {
		st = rd(PT_STATUS);
		if (PT_STATE(st) != PT_BUSY)
			return st;
		msleep(5);
	}
	return 0;
}

static int wait_readable(int fd, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, ms) == 1 && (pfd.revents & POLLIN);
}

/* Read the records of at least one group; how many were read */
static int read_faults(int fd, struct iommu_hwpt_pgfault *f, int max, int ms)
{
	ssize_t n;

	if (!wait_readable(fd, ms))
		return 0;
	n = read(fd, f, max * sizeof(*f));
	if (n < 0) {
		printf("# read: %s\n", strerror(errno));
		return 0;
	}
	return n / sizeof(*f);
}

static int answer(int fd, uint32_t cookie, uint32_t code)
{
	struct iommu_hwpt_page_response r = { .cookie = cookie, .code = code };

	if (write(fd, &r, sizeof(r)) != sizeof(r))
		return -1;
	if (code == IOMMUFD_PAGE_RESP_SUCCESS)
		want_success++;
	else
		want_invalid++;
	return 0;
}

static int map_iova(uint64_t iova, void *va, size_t len)
{
	struct iommu_ioas_map map = {
		.size = sizeof(map),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
		.ioas_id = ioas_id,
		.user_va = (uintptr_t)va,
		.length = len,
		.iova = iova,
	};

	return ioctl(iommufd, IOMMU_IOAS_MAP, &map);
}

static void print_fault(const struct iommu_hwpt_pgfault *f)
{
	printf("# fault: flags 0x%x dev_id %u pasid %u grpid %u perm 0x%x addr 0x%llx length %u cookie %u\n",
	       f->flags, f->dev_id, f->pasid, f->grpid, f->perm,
	       (unsigned long long)f->addr, f->length, f->cookie);
}

/* Is record @f for page @iova of a device request without PASID? */
static int fault_is(const struct iommu_hwpt_pgfault *f, uint64_t iova,
		    uint32_t perm, int last)
{
	return f->dev_id == dev_id && f->addr == iova && f->perm == perm &&
	       !(f->flags & IOMMU_PGFAULT_FLAGS_PASID_VALID) &&
	       !!(f->flags & IOMMU_PGFAULT_FLAGS_LAST_PAGE) == last;
}

static uint32_t alloc_queue(uint32_t deadline_ms, uint32_t *fd)
{
	struct iommu_fault_alloc q = {
		.size = sizeof(q),
		.deadline_ms = deadline_ms,
	};

	CHECK(ioctl(iommufd, IOMMU_FAULT_QUEUE_ALLOC, &q));
	*fd = q.out_fault_fd;
	return q.out_fault_id;
}

static int alloc_hwpt(uint32_t fault_id, uint32_t *hwpt_id)
{
	struct iommu_hwpt_alloc h = {
		.size = sizeof(h),
		.flags = IOMMU_HWPT_FAULT_ID_VALID,
		.dev_id = dev_id,
		.pt_id = ioas_id,
		.fault_id = fault_id,
	};
	int ret = ioctl(iommufd, IOMMU_HWPT_ALLOC, &h);

	*hwpt_id = h.out_hwpt_id;
	return ret;
}

static int attach(uint32_t pt_id)
{
	struct vfio_device_attach_iommufd_pt a = {
		.argsz = sizeof(a),
		.pt_id = pt_id,
	};

	return ioctl(devfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &a);
}

static int detach(void)
{
	struct vfio_device_detach_iommufd_pt d = { .argsz = sizeof(d) };

	return ioctl(devfd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &d);
}

static void queue_info(uint32_t fault_id, struct iommu_fault_queue_info *info)
{
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	info->fault_id = fault_id;
	CHECK(ioctl(iommufd, IOMMU_FAULT_QUEUE_INFO, info));
	printf("# queue %u: pending %u, delivered %llu, answered %llu, auto: detach %llu close %llu overflow %llu deadline %llu\n",
	       fault_id, info->out_pending,
	       (unsigned long long)info->out_delivered,
	       (unsigned long long)info->out_answered,
	       (unsigned long long)info->out_auto_detach,
	       (unsigned long long)info->out_auto_close,
	       (unsigned long long)info->out_auto_overflow,
	       (unsigned long long)info->out_auto_deadline);
}

static void map_bar0(void)
{
	struct vfio_region_info info = {
		.argsz = sizeof(info),
		.index = VFIO_PCI_BAR0_REGION_INDEX,
	};

	CHECK(ioctl(devfd, VFIO_DEVICE_GET_REGION_INFO, &info));
	bar0 = mmap(NULL, info.size, PROT_READ | PROT_WRITE, MAP_SHARED,
		    devfd, info.offset);
	CHECK(bar0 == MAP_FAILED ? -1 : 0);
}

/* DMA needs bus mastering, which vfio-pci leaves to its user */
static void enable_bus_master(void)
{
	struct vfio_region_info info = {
		.argsz = sizeof(info),
		.index = VFIO_PCI_CONFIG_REGION_INDEX,
	};
	uint16_t cmd;

	CHECK(ioctl(devfd, VFIO_DEVICE_GET_REGION_INFO, &info));
	CHECK(pread(devfd, &cmd, sizeof(cmd), info.offset + 4));
	cmd |= 0x4;
	CHECK(pwrite(devfd, &cmd, sizeof(cmd), info.offset + 4));
}

static uint8_t *page_of(int i)
{
	return mem + i * PAGE;
}

static void fill(uint8_t *p, size_t len, uint8_t pattern)
{
	size_t i;

	for (i = 0; i != len; i++)
		p[i] = pattern + i;
}

static int check_fill(const uint8_t *p, size_t len, uint8_t pattern)
{
	size_t i;

	for (i = 0; i != len; i++)
		if (p[i] != (uint8_t)(pattern + i))
			return 0;
	return 1;
}

/*
 * Lazy map: a transfer to an IOVA nothing is mapped at faults; the record
 * names the device, the page, the access, no PASID; the program maps the
 * page and answers Success; the device retries and completes.
 */
static void test_lazy_map(int fd, uint64_t iova, int page, int write)
{
	struct iommu_hwpt_pgfault f[4];
	uint8_t pattern = write ? 0x5a : 0x21;
	uint32_t perm = write ? IOMMU_PGFAULT_PERM_WRITE :
				IOMMU_PGFAULT_PERM_READ;
	uint32_t st;
	int n, ok;

	memset(page_of(page), 0, PAGE);
	if (!write)
		fill(page_of(page), PAGE, pattern);
	dma_start(iova, PAGE, write, pattern);
	n = read_faults(fd, f, 4, 10000);
	if (n > 0)
		print_fault(&f[0]);
	ok = n == 1 && fault_is(&f[0], iova, perm, 1);
	result(ok, write ? "lazy map, write: one record with the device, the page, write, no PASID" :
			   "lazy map, read: one record with the device, the page, read, no PASID");
	if (n != 1)
		return;
	ok = !map_iova(iova, page_of(page), PAGE) &&
	     !answer(fd, f[0].cookie, IOMMUFD_PAGE_RESP_SUCCESS);
	st = dma_wait(10000);
	print_counters("after the answer");
	ok &= PT_STATE(st) == PT_DONE && PT_RESPONDED(st) &&
	      rd(PT_LAST_CODE) == PCIE_PRG_SUCCESS;
	if (write)
		ok &= check_fill(page_of(page), PAGE, pattern);
	else
		ok &= rd(PT_MISMATCH) == 0;
	result(ok, write ? "lazy map, write: mapped, answered Success (0h at the device), the data is in memory" :
			   "lazy map, read: mapped, answered Success (0h at the device), the device read the data");
}

/* Invalid Request: the device fails the transfer and PRI stays on */
static void test_invalid(int fd, uint64_t iova)
{
	struct iommu_hwpt_pgfault f[4];
	uint32_t st;
	int n, ok;

	dma_start(iova, PAGE, 0, 0);
	n = read_faults(fd, f, 4, 10000);
	ok = n == 1 && fault_is(&f[0], iova, IOMMU_PGFAULT_PERM_READ, 1) &&
	     !answer(fd, f[0].cookie, IOMMUFD_PAGE_RESP_INVALID);
	st = dma_wait(10000);
	print_counters("after Invalid");
	ok &= PT_STATE(st) == PT_FAILED && PT_ERROR(st) == PT_ERR_RESPONSE &&
	      rd(PT_LAST_CODE) == PCIE_PRG_INVALID;
	result(ok, "invalid: answered Invalid, the device fails the transfer with code 1h");

	/* PRI still enabled, no Response Failure: the next fault arrives */
	printf("# PRI control 0x%04x status 0x%04x\n", cfg16(PRI_CTRL),
	       cfg16(PRI_STATUS));
	ok = (cfg16(PRI_CTRL) & 1) && !(cfg16(PRI_STATUS) & 3);
	dma_start(iova, PAGE, 0, 0);
	n = read_faults(fd, f, 4, 10000);
	ok &= n == 1 && fault_is(&f[0], iova, IOMMU_PGFAULT_PERM_READ, 1) &&
	      !answer(fd, f[0].cookie, IOMMUFD_PAGE_RESP_INVALID);
	st = dma_wait(10000);
	ok &= PT_STATE(st) == PT_FAILED && rd(PT_LAST_CODE) == PCIE_PRG_INVALID;
	result(ok, "invalid: PRI stays enabled, the next fault is delivered again");
}

/* A group of several pages arrives whole and is answered once */
static void test_group(int fd, uint64_t iova, int page)
{
	struct iommu_hwpt_pgfault f[8];
	struct counters c0, c1;
	uint32_t st;
	int i, n, ok;

	counters(&c0);
	fill(page_of(page), 4 * PAGE, 0x33);
	dma_start(iova, 4 * PAGE, 0, 0x33);
	n = read_faults(fd, f, 8, 10000);
	for (i = 0; i < n; i++)
		print_fault(&f[i]);
	ok = n == 4;
	for (i = 0; ok && i != 4; i++)
		ok &= fault_is(&f[i], iova + i * PAGE, IOMMU_PGFAULT_PERM_READ,
			       i == 3) && f[i].grpid == f[0].grpid;
	result(ok, "group: four pages arrive as one group, in one read, the last marked");
	if (n != 4)
		return;
	ok = !map_iova(iova, page_of(page), 4 * PAGE) &&
	     !answer(fd, f[3].cookie, IOMMUFD_PAGE_RESP_SUCCESS);
	st = dma_wait(10000);
	counters(&c1);
	print_counters("after the group");
	ok &= PT_STATE(st) == PT_DONE && !rd(PT_MISMATCH) &&
	      c1.requests - c0.requests == 4 && c1.groups - c0.groups == 1 &&
	      c1.success - c0.success == 1;
	/* The cookie is spent: a second answer is refused, nothing reaches it */
	ok &= write(fd, &(struct iommu_hwpt_page_response){
			.cookie = f[3].cookie }, 8) < 0 && errno == EINVAL;
	msleep(200);
	counters(&c1);
	ok &= c1.success - c0.success == 1 && c1.stray == c0.stray;
	result(ok, "group: answered once; a second answer is refused (EINVAL) and never reaches the device");
}

/*
 * Credit: the device never has more requests outstanding than the
 * Outstanding Page Request Allocation that the kernel wrote (its whole
 * capacity, 8, as Linux asks for more). A transfer over 12 unmapped pages
 * asks for 8, waits for the answer, then asks for the other 4.
 */
static void test_credit(int fd, uint64_t iova, int page)
{
	struct iommu_hwpt_pgfault f[16];
	uint32_t alloc = cfg32(PRI_ALLOC), st;
	struct counters c0, c1;
	int i, n, ok;

	printf("# PRI capacity %u, allocation %u\n", cfg32(PRI_CAP + 0x8),
	       alloc);
	counters(&c0);
	dma_start(iova, 12 * PAGE, 1, 0x77);
	n = read_faults(fd, f, 16, 10000);
	msleep(300);	/* the device must not ask for more meanwhile */
	ok = alloc == 8 && n == 8 && rd(PT_OUTSTANDING) == 8 &&
	     rd(PT_REQUESTS) - c0.requests == 8;
	for (i = 0; ok && i != 8; i++)
		ok &= fault_is(&f[i], iova + i * PAGE, IOMMU_PGFAULT_PERM_WRITE,
			       i == 7);
	print_counters("with the first group out");
	result(ok, "credit: the first group holds the allocation, 8 requests, and the device waits");
	if (n != 8)
		return;
	ok = !map_iova(iova, page_of(page), 8 * PAGE) &&
	     !answer(fd, f[7].cookie, IOMMUFD_PAGE_RESP_SUCCESS);
	n = read_faults(fd, f, 16, 10000);
	ok &= n == 4;
	for (i = 0; ok && i != 4; i++)
		ok &= fault_is(&f[i], iova + (8 + i) * PAGE,
			       IOMMU_PGFAULT_PERM_WRITE, i == 3);
	ok &= n == 4 && !map_iova(iova + 8 * PAGE, page_of(page + 8),
				  4 * PAGE) &&
	      !answer(fd, f[3].cookie, IOMMUFD_PAGE_RESP_SUCCESS);
	st = dma_wait(10000);
	counters(&c1);
	print_counters("after the second group");
	ok &= PT_STATE(st) == PT_DONE && check_fill(page_of(page), 12 * PAGE,
						     0x77) &&
	      c1.requests - c0.requests == 12 && c1.groups - c0.groups == 2 &&
	      c1.success - c0.success == 2 && c1.stray == c0.stray &&
	      rd(PT_MAX_OUTSTANDING) == 8;
	result(ok, "credit: then the other 4; 12 requests, 2 groups, 2 answers, never more than 8 outstanding");
}

/* The device's answers add up to what was sent, and nothing else came */
static void test_codes(const char *when)
{
	struct counters c;
	char what[160];

	counters(&c);
	printf("# expected %u Success and %u Invalid %s\n", want_success,
	       want_invalid, when);
	snprintf(what, sizeof(what),
		 "codes: every group answered exactly once %s, with 0h or 1h; no Fh, no unexpected answer",
		 when);
	result(c.success == want_success && c.invalid == want_invalid &&
	       !c.failure && !c.stray && !(cfg16(PRI_STATUS) & 3), what);
}

/* Deadline: nobody answers, the kernel answers Invalid (1h) in time */
static void test_deadline(uint32_t *hwpt_id)
{
	struct iommu_hwpt_pgfault f[4];
	struct iommu_fault_queue_info info;
	struct counters c0, c1;
	uint32_t fd, fault_id, st;
	/*
	 * 1 s, times the guest's timeout scale: the record must still be
	 * there when this program reads it, on a slow emulated guest
	 */
	const char *scale = getenv("KSFT_TIMEOUT_SCALE");
	int deadline_ms = 1000 * (scale && atoi(scale) > 0 ? atoi(scale) : 1);
	char what[96];
	int n, ok;

	fault_id = alloc_queue(deadline_ms, &fd);
	ok = !alloc_hwpt(fault_id, hwpt_id) && !attach(*hwpt_id);
	snprintf(what, sizeof(what),
		 "deadline: replace to a HWPT whose queue has a %d ms deadline",
		 deadline_ms);
	result(ok, what);
	if (!ok)
		return;
	counters(&c0);
	dma_start(0x40000000, PAGE, 0, 0);
	n = read_faults(fd, f, 4, 10000);
	st = dma_wait(20000 + 2 * deadline_ms);
	/* The kernel answers the group it got: Invalid, by the contract */
	counters(&c1);
	want_invalid += c1.groups - c0.groups;
	print_counters("after the deadline");
	queue_info(fault_id, &info);
	ok = n == 1 && PT_STATE(st) == PT_FAILED &&
	     rd(PT_LAST_CODE) == PCIE_PRG_INVALID &&
	     info.out_auto_deadline == 1 && !info.out_pending;
	result(ok, "deadline: the unanswered group gets the kernel's Invalid (1h) at the device");
	ok = n == 1 && write(fd, &(struct iommu_hwpt_page_response){
				.cookie = f[0].cookie }, 8) < 0;
	result(ok, "deadline: a late answer is refused");
	close(fd);
}

/*
 * Detach with a group outstanding (read, or not yet read): detach answers
 * it before it returns, with Invalid, and nothing reaches the device after.
 */
static void test_detach(uint32_t hwpt_id, uint32_t fd, int read_first)
{
	struct iommu_hwpt_pgfault f[4];
	struct counters c0, c1, c2;
	int n = 0, ok;

	ok = !attach(hwpt_id);
	dma_start(0x50000000, PAGE, 0, 0);
	if (read_first) {
		n = read_faults(fd, f, 4, 10000);
		ok &= n == 1;
	} else {
		/* Wait for the request to reach the queue, unread */
		ok &= wait_readable(fd, 10000);
	}
	counters(&c0);
	/* Detach answers the outstanding group: Invalid (iommufd's rule) */
	want_invalid += rd(PT_OUTSTANDING) == 1;
	ok &= rd(PT_OUTSTANDING) == 1;
	ok &= !detach();
	counters(&c1);
	msleep(500);
	counters(&c2);
	print_counters("after detach");
	printf("# PRI control 0x%04x status 0x%04x after detach\n",
	       cfg16(PRI_CTRL), cfg16(PRI_STATUS));
	ok &= c1.invalid - c0.invalid == 1 && c1.success == c0.success &&
	      rd(PT_LAST_CODE) == PCIE_PRG_INVALID;
	ok &= !memcmp(&c1, &c2, sizeof(c1));
	/* PRI is off, and the function Stopped */
	ok &= !(cfg16(PRI_CTRL) & 1) && (cfg16(PRI_STATUS) & 0x100);
	if (read_first)
		ok &= write(fd, &(struct iommu_hwpt_page_response){
				.cookie = f[0].cookie }, 8) < 0;
	msleep(200);
	counters(&c2);
	ok &= !memcmp(&c1, &c2, sizeof(c1));
	result(ok, read_first ?
	       "detach, group read: the device gets Invalid (1h) before detach returns, nothing after" :
	       "detach, group unread: the device gets Invalid (1h) before detach returns, nothing after");
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The @pct percentile of @n samples, in microseconds */
static double pct_us(double *v, int n, int pct)
{
	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_double);
	return v[(n - 1) * pct / 100] * 1e6;
}

#define DEMO_RING	256
#define DEMO_MAX	100000

/*
 * make run DEVICE=pri: a VMM's loop on real page requests. The device
 * writes a page at an IOVA that is not mapped; the VMM reads the fault,
 * maps a page of its memory there, answers Success; the device retries
 * and completes, and the VMM checks the data and unmaps the IOVA again.
 * Every half second it prints the rate and the latencies: from the
 * doorbell to the record in userspace (the request's way up: ATS, the
 * page request queue, the VT-d driver, iommufd), from the answer to the
 * completed DMA (the response's way down), and the whole.
 */
static int demo(int fd, int seconds)
{
	static double up[DEMO_MAX], down[DEMO_MAX], whole[DEMO_MAX];
	struct iommu_ioas_unmap unmap = { .size = sizeof(unmap) };
	struct iommu_hwpt_pgfault f[4];
	double start = now(), tick = start, t0, t1, t2, t3;
	int done = 0, since = 0, bad = 0;
	struct counters c0, c1;

	counters(&c0);
	printf("demo: pri-test writes pages at unmapped IOVAs; the VMM maps them on demand\n");
	while (now() - start < seconds && done < DEMO_MAX) {
		uint64_t iova = 0x60000000 + (done % DEMO_RING) * PAGE;
		uint8_t pattern = done;
		uint32_t st;

		t0 = now();
		dma_start(iova, PAGE, 1, pattern);
		if (read_faults(fd, f, 4, 5000) != 1 ||
		    !fault_is(&f[0], iova, IOMMU_PGFAULT_PERM_WRITE, 1)) {
			bad++;
			break;
		}
		t1 = now();
		if (map_iova(iova, page_of(done % NPAGES), PAGE) ||
		    answer(fd, f[0].cookie, IOMMUFD_PAGE_RESP_SUCCESS)) {
			bad++;
			break;
		}
		t2 = now();
		st = dma_wait(5000);
		t3 = now();
		if (PT_STATE(st) != PT_DONE ||
		    !check_fill(page_of(done % NPAGES), PAGE, pattern))
			bad++;
		unmap.ioas_id = ioas_id;
		unmap.iova = iova;
		unmap.length = PAGE;
		if (ioctl(iommufd, IOMMU_IOAS_UNMAP, &unmap))
			bad++;
		up[done] = t1 - t0;
		down[done] = t3 - t2;
		whole[done] = t3 - t0;
		done++;
		since++;
		if (t3 - tick >= 0.5) {
			printf("demo: %6.0f faults/s  up p50 %5.0f us  down p50 %5.0f us  fault to completion p50 %5.0f us p99 %5.0f us\n",
			       since / (t3 - tick),
			       pct_us(up + done - since, since, 50),
			       pct_us(down + done - since, since, 50),
			       pct_us(whole + done - since, since, 50),
			       pct_us(whole + done - since, since, 99));
			tick = t3;
			since = 0;
		}
	}
	counters(&c1);
	printf("demo: %d faults in %.1f s: %.0f faults/s; fault to completion p50 %.0f us, p99 %.0f us\n",
	       done, now() - start, done / (now() - start),
	       pct_us(whole, done, 50), pct_us(whole, done, 99));
	printf("demo: device: %u requests, %u groups, %u Success, %u Invalid, %u Failure, %u unexpected; %d errors\n",
	       c1.requests - c0.requests, c1.groups - c0.groups,
	       c1.success - c0.success, c1.invalid - c0.invalid,
	       c1.failure - c0.failure, c1.stray - c0.stray, bad);
	return bad || c1.requests - c0.requests != (uint32_t)done ||
	       c1.success - c0.success != (uint32_t)done ||
	       c1.stray != c0.stray || c1.failure != c0.failure;
}

int main(int argc, char **argv)
{
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	struct iommu_ioas_alloc ioas = { .size = sizeof(ioas) };
	struct iommu_fault_queue_info info;
	uint32_t fd, fault_id, hwpt_id, hwpt2_id;
	char path[256];

	if (argc != 3 && !(argc == 5 && !strcmp(argv[3], "demo"))) {
		fprintf(stderr, "usage: pri_fault /dev/vfio/devices/vfioN /sys/bus/pci/devices/BDF [demo SECONDS]\n");
		return 2;
	}
	if (argc == 3)
		printf("1..%d\n", NR_TESTS);
	snprintf(path, sizeof(path), "%s/config", argv[2]);
	CHECK(cfgfd = open(path, O_RDONLY));
	CHECK(iommufd = open("/dev/iommu", O_RDWR));
	CHECK(devfd = open(argv[1], O_RDWR));
	bind.iommufd = iommufd;
	CHECK(ioctl(devfd, VFIO_DEVICE_BIND_IOMMUFD, &bind));
	dev_id = bind.out_devid;
	CHECK(ioctl(iommufd, IOMMU_IOAS_ALLOC, &ioas));
	ioas_id = ioas.out_ioas_id;
	mem = mmap(NULL, 4 * NPAGES * PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(mem == MAP_FAILED ? -1 : 0);
	memset(mem, 0, 4 * NPAGES * PAGE);

	fault_id = alloc_queue(0, &fd);
	if (argc == 5) {
		CHECK(alloc_hwpt(fault_id, &hwpt_id));
		CHECK(attach(hwpt_id));
		map_bar0();
		enable_bus_master();
		return demo(fd, atoi(argv[4]));
	}
	result(!alloc_hwpt(fault_id, &hwpt_id),
	       "VT-d gives a fault-capable paging HWPT to a device with ATS and PRI");
	CHECK(attach(hwpt_id));
	printf("# dev_id %u, HWPT %u, fault queue %u; PRI control 0x%04x status 0x%04x\n",
	       dev_id, hwpt_id, fault_id, cfg16(PRI_CTRL), cfg16(PRI_STATUS));
	result((cfg16(PRI_CTRL) & 1) && !(cfg16(PRI_STATUS) & 0x100),
	       "attach enables PRI on the device");
	map_bar0();
	enable_bus_master();
	CHECK(rd(PT_ID) == PT_ID_VALUE ? 0 : -1);

	test_lazy_map(fd, 0x10000000, 0, 0);
	test_lazy_map(fd, 0x10100000, 1, 1);
	test_invalid(fd, 0x20000000);
	test_group(fd, 0x30000000, 2 * NPAGES);
	test_credit(fd, 0x38000000, 3 * NPAGES);
	queue_info(fault_id, &info);
	result(info.out_answered == want_success + want_invalid &&
	       !info.out_pending && !info.out_auto_overflow,
	       "the queue counted every answer, and answered nothing itself");
	test_codes("by userspace");

	test_deadline(&hwpt2_id);
	test_detach(hwpt_id, fd, 1);
	test_detach(hwpt_id, fd, 0);
	test_codes("by userspace and the kernel");
	while (nr < NR_TESTS)
		result(0, "(not reached: an earlier step failed)");
	return failed;
}
