// SPDX-License-Identifier: GPL-2.0
/*
 * A VMM-style fault handler on the iommufd mock device, mapping guest
 * memory on demand.
 *
 * The VMM gives the device a fault-capable paging HWPT on an IOAS that
 * starts empty: no guest RAM is pinned or mapped up front. A "device"
 * thread raises page request groups in bursts, sweeping guest RAM page by
 * page, as a guest's device would. The main thread is the VMM's event
 * loop: it epolls the fault fd, reads what is queued, and resolves each
 * fault by mapping the 64 KiB chunk of guest RAM around it with
 * IOMMU_IOAS_MAP (a fault on a chunk already mapped needs nothing), then
 * answers Success so that the device retries. To keep its pinned memory
 * bounded it unmaps the chunk half of guest RAM away. Every half second
 * it prints a live summary: faults/s, latency percentiles from fault to
 * answer, the queue's depth and pending groups, and its overflow and
 * deadline counters. At the end it checks both sides: every group the
 * device raised got exactly one response, and the mock's IO page table
 * maps exactly the chunks the VMM thinks it mapped, to the right pages.
 *
 *   fault_vmm [seconds] [depth] [deadline_ms]
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/iommufd.h>
#include "iommufd_test.h"

#define MAX_GROUPS 200000
#define BURST 16
#define BATCH 64
#define PAGE 4096UL
#define RAM_PAGES 4096UL		/* 16 MiB of guest RAM */
#define CHUNK_PAGES 16UL		/* mapped per fault: 64 KiB */
#define NR_CHUNKS (RAM_PAGES / CHUNK_PAGES)
#define RAM_IOVA MOCK_APERTURE_START

static int iommufd;
static __u32 dev_id;
static volatile int device_done;
static unsigned int injected;
static double raised_at[MAX_GROUPS];
static double answered_at[MAX_GROUPS];

static __u32 ioas_id;
static char *guest_ram;
static unsigned char chunk_mapped[NR_CHUNKS];
static unsigned int maps, unmaps, already_mapped, traced;

#define CHECK(call)                                                        \
	do {                                                               \
		if ((call) < 0) {                                          \
			fprintf(stderr, "vmm: %s: %s\n", #call,            \
				strerror(errno));                          \
			exit(1);                                           \
		}                                                          \
	} while (0)

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static __u32 hwpt_alloc(__u32 pt_id, __u32 flags, __u32 fault_id,
			__u32 data_type, void *data, __u32 data_len)
{
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.dev_id = dev_id,
		.pt_id = pt_id,
		.data_type = data_type,
		.data_len = data_len,
		.data_uptr = (__u64)(unsigned long)data,
		.fault_id = fault_id,
	};

	CHECK(ioctl(iommufd, IOMMU_HWPT_ALLOC, &cmd));
	return cmd.out_hwpt_id;
}

/* The device: bursts of groups with consecutive group indexes. */
static void *device_thread(void *arg)
{
	double until = now() + *(double *)arg;
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_TRIGGER_IOPF,
		.trigger_iopf = {
			.pasid = 0,	/* a paging HWPT: no PASID */
			.perm = IOMMU_PGFAULT_PERM_READ,
			.nr_faults = 1,
			.nr_groups = BURST,
		},
	};
	unsigned int i;

	cmd.trigger_iopf.dev_id = dev_id;
	while (now() < until && injected + BURST <= MAX_GROUPS) {
		double t = now();

		for (i = 0; i != BURST; i++)
			raised_at[injected + i] = t;
		/* BURST consecutive pages, one group each, wrapping in RAM */
		cmd.trigger_iopf.grpid = injected;
		cmd.trigger_iopf.addr = RAM_IOVA + (injected % RAM_PAGES) * PAGE;
		CHECK(ioctl(iommufd, IOMMU_TEST_CMD, &cmd));
		__atomic_store_n(&injected, injected + BURST, __ATOMIC_RELEASE);
		usleep(200);
	}
	device_done = 1;
	return NULL;
}

static void map_chunk(unsigned long chunk)
{
	struct iommu_ioas_map map = {
		.size = sizeof(map),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
		.ioas_id = ioas_id,
		.user_va = (__u64)(unsigned long)(guest_ram +
						  chunk * CHUNK_PAGES * PAGE),
		.length = CHUNK_PAGES * PAGE,
		.iova = RAM_IOVA + chunk * CHUNK_PAGES * PAGE,
	};

	CHECK(ioctl(iommufd, IOMMU_IOAS_MAP, &map));
	chunk_mapped[chunk] = 1;
	maps++;
}

static void unmap_chunk(unsigned long chunk)
{
	struct iommu_ioas_unmap unmap = {
		.size = sizeof(unmap),
		.ioas_id = ioas_id,
		.iova = RAM_IOVA + chunk * CHUNK_PAGES * PAGE,
		.length = CHUNK_PAGES * PAGE,
	};

	CHECK(ioctl(iommufd, IOMMU_IOAS_UNMAP, &unmap));
	chunk_mapped[chunk] = 0;
	unmaps++;
}

/*
 * Resolve one fault: make its page present. Map the chunk around it (the
 * device sweeps forward, so its neighbours come next), and unmap the
 * chunk half of guest RAM away, which the device will not touch before
 * the VMM has caught up, so at most half of guest RAM is ever pinned.
 */
static void resolve(const struct iommu_hwpt_pgfault *rec)
{
	unsigned long chunk = (rec->addr - RAM_IOVA) / PAGE / CHUNK_PAGES;
	unsigned long victim = (chunk + NR_CHUNKS / 2) % NR_CHUNKS;
	int was_mapped = chunk_mapped[chunk];

	if (rec->addr < RAM_IOVA || chunk >= NR_CHUNKS) {
		fprintf(stderr, "vmm: fault outside guest RAM: 0x%llx\n",
			(unsigned long long)rec->addr);
		exit(1);
	}
	if (!was_mapped) {
		map_chunk(chunk);
		if (chunk_mapped[victim])
			unmap_chunk(victim);
	} else {
		already_mapped++;
	}
	if (traced < 3) {
		traced++;
		printf("vmm: fault dev %u grpid %u addr 0x%llx%s: %s IOVA 0x%llx+64K, answer Success\n",
		       rec->dev_id, rec->grpid, (unsigned long long)rec->addr,
		       rec->flags & IOMMU_PGFAULT_FLAGS_PASID_VALID ?
			       " (PASID)" : "",
		       was_mapped ? "already mapped by an earlier fault:" :
				    "mapped",
		       (unsigned long long)(RAM_IOVA +
					    chunk * CHUNK_PAGES * PAGE));
	}
}

/*
 * Answer @n groups. A write stops at the first response the kernel
 * rejects: a group its deadline already answered. Skip that one and go
 * on with the rest. Returns how many were rejected.
 */
static unsigned int answer_all(int fault_fd,
			       struct iommu_hwpt_page_response *resp, int n)
{
	unsigned int late = 0;
	ssize_t done;

	while (n > 0) {
		done = write(fault_fd, resp, n * sizeof(*resp));
		if (done < 0 && errno != EINVAL)
			CHECK(done);
		if (done < 0) {
			late++;
			done = sizeof(*resp);
		}
		resp += done / sizeof(*resp);
		n -= done / sizeof(*resp);
	}
	return late;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Latency percentiles of the groups answered in [from, to) */
static void percentiles(unsigned int from, unsigned int to, double *p50,
			double *p99)
{
	static double lat[MAX_GROUPS];
	unsigned int i, n = 0;

	for (i = from; i != to; i++)
		if (answered_at[i])
			lat[n++] = answered_at[i] - raised_at[i];
	*p50 = *p99 = 0;
	if (!n)
		return;
	qsort(lat, n, sizeof(*lat), cmp_double);
	*p50 = lat[n / 2] * 1e6;
	*p99 = lat[n * 99 / 100] * 1e6;
}

static void queue_info(__u32 fault_id, struct iommu_fault_queue_info *info,
		       __u32 flags)
{
	*info = (struct iommu_fault_queue_info){
		.size = sizeof(*info),
		.flags = flags,
		.fault_id = fault_id,
	};
	CHECK(ioctl(iommufd, IOMMU_FAULT_QUEUE_INFO, info));
}

static void summary(const char *tag, __u32 fault_id, unsigned int answered,
		    unsigned int since, double dt, unsigned int from)
{
	struct iommu_fault_queue_info info;
	double p50, p99;

	queue_info(fault_id, &info, 0);
	percentiles(from, __atomic_load_n(&injected, __ATOMIC_ACQUIRE), &p50,
		    &p99);
	printf("vmm: %-5s %8.0f faults/s  p50 %7.0f us  p99 %7.0f us  depth %u  pending %u  high-water %u  overflow %llu  deadline %llu  answered %u\n",
	       tag, (answered - since) / dt, p50, p99, info.out_depth,
	       info.out_pending, info.out_high_water,
	       (unsigned long long)info.out_auto_overflow,
	       (unsigned long long)info.out_auto_deadline, answered);
	fflush(stdout);
}

/* Every group the device raised got exactly one response. */
static int check_device(void)
{
	static struct iommu_test_iopf_response resp[1024];
	static unsigned char count[MAX_GROUPS];
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_IOPF_RESPONSES,
	};
	unsigned int i, bad = 0;

	do {
		cmd.iopf_responses.dev_id = dev_id;
		cmd.iopf_responses.nr = 1024;
		cmd.iopf_responses.uptr = (__u64)(unsigned long)resp;
		CHECK(ioctl(iommufd, IOMMU_TEST_CMD, &cmd));
		for (i = 0; i != cmd.iopf_responses.nr; i++)
			count[resp[i].grpid]++;
	} while (cmd.iopf_responses.nr == 1024);
	for (i = 0; i != injected; i++)
		bad += count[i] != 1;
	printf("vmm: device side: %u groups raised, %llu responses, %u groups not answered exactly once\n",
	       injected, (unsigned long long)cmd.iopf_responses.out_total,
	       bad);
	return bad ? 1 : 0;
}

/* The mock's IO page table maps @chunk to guest RAM; or not at all */
static int chunk_translates(unsigned long chunk, __u32 hwpt_id)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_MD_CHECK_MAP,
		.id = hwpt_id,
		.check_map = {
			.iova = RAM_IOVA + chunk * CHUNK_PAGES * PAGE,
			.length = CHUNK_PAGES * PAGE,
			.uptr = (__u64)(unsigned long)(guest_ram +
						       chunk * CHUNK_PAGES *
							       PAGE),
		},
	};

	return !ioctl(iommufd, IOMMU_TEST_CMD, &cmd);
}

/* The IO page table holds exactly the chunks the VMM mapped */
static int check_mappings(__u32 hwpt_id)
{
	unsigned int chunk, mapped = 0, bad = 0;

	for (chunk = 0; chunk != NR_CHUNKS; chunk++) {
		mapped += chunk_mapped[chunk];
		bad += chunk_translates(chunk, hwpt_id) != chunk_mapped[chunk];
	}
	printf("vmm: IO page table: %u IOMMU_IOAS_MAP, %u IOMMU_IOAS_UNMAP, %u faults found their chunk already mapped; %u of %lu chunks mapped now (%lu KiB pinned), %u chunks differ from the VMM's view\n",
	       maps, unmaps, already_mapped, mapped, NR_CHUNKS,
	       mapped * CHUNK_PAGES * PAGE / 1024, bad);
	return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 3;
	struct iommu_ioas_alloc ioas = { .size = sizeof(ioas) };
	struct iommu_test_cmd mock = {
		.size = sizeof(mock),
		.op = IOMMU_TEST_OP_MOCK_DOMAIN,
	};
	struct iommu_fault_alloc fault = {
		.size = sizeof(fault),
		.depth = argc > 2 ? atoi(argv[2]) : 256,
		.deadline_ms = argc > 3 ? atoi(argv[3]) : 0,
	};
	struct iommu_test_cmd replace = {
		.size = sizeof(replace),
		.op = IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE,
	};
	struct iommu_hwpt_page_response resp[BATCH];
	struct iommu_hwpt_pgfault rec[BATCH];
	struct epoll_event ev = { .events = EPOLLIN | EPOLLPRI };
	unsigned int answered = 0, since = 0, from = 0, late = 0, pri = 0;
	unsigned int refused;
	double start, last;
	pthread_t device;
	__u32 hwpt_id;
	int ep, n = 0, i;

	CHECK(iommufd = open("/dev/iommu", O_RDWR));
	CHECK(ioctl(iommufd, IOMMU_IOAS_ALLOC, &ioas));
	ioas_id = ioas.out_ioas_id;
	guest_ram = mmap(NULL, RAM_PAGES * PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(guest_ram == MAP_FAILED ? -1 : 0);
	memset(guest_ram, 0x5a, RAM_PAGES * PAGE);
	mock.id = ioas_id;
	CHECK(ioctl(iommufd, IOMMU_TEST_CMD, &mock));
	dev_id = mock.mock_domain.out_idev_id;
	CHECK(ioctl(iommufd, IOMMU_FAULT_QUEUE_ALLOC, &fault));
	/* A paging HWPT on the (empty) IOAS, fault-capable: no nesting */
	hwpt_id = hwpt_alloc(ioas_id, IOMMU_HWPT_FAULT_ID_VALID,
			     fault.out_fault_id, IOMMU_HWPT_DATA_NONE, NULL, 0);
	replace.id = mock.mock_domain.out_stdev_id;
	replace.mock_domain_replace.pt_id = hwpt_id;
	CHECK(ioctl(iommufd, IOMMU_TEST_CMD, &replace));
	printf("vmm: device %u attached to fault-capable paging HWPT %u, fault queue %u: depth %u, deadline %u ms; %lu MiB of guest RAM, none mapped; %.1f s of bursts of %u groups\n",
	       dev_id, hwpt_id, fault.out_fault_id, fault.depth,
	       fault.deadline_ms, RAM_PAGES * PAGE >> 20, seconds, BURST);

	CHECK(ep = epoll_create1(0));
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, fault.out_fault_fd, &ev));
	CHECK(pthread_create(&device, NULL, device_thread, &seconds) ? -1 : 0);

	start = last = now();
	while (!device_done || n > 0) {
		n = epoll_wait(ep, &ev, 1, 100);
		CHECK(n);
		if (n && (ev.events & EPOLLPRI)) {
			struct iommu_fault_queue_info info;

			/* The status stays set (and EPOLLPRI with it) until cleared */
			queue_info(fault.out_fault_id, &info,
				   IOMMU_FAULT_QUEUE_INFO_CLEAR_STATUS);
			if (!pri++)
				printf("vmm: EPOLLPRI: the queue overflowed, the kernel answered Success for us\n");
		}
		if (n && !(ev.events & EPOLLIN))
			n = 0;
		if (n && (ev.events & EPOLLIN)) {
			CHECK(n = read(fault.out_fault_fd, rec, sizeof(rec)));
			n /= sizeof(*rec);
			for (i = 0; i != n; i++) {
				resolve(&rec[i]);
				resp[i].cookie = rec[i].cookie;
				resp[i].code = IOMMUFD_PAGE_RESP_SUCCESS;
				answered_at[rec[i].grpid] = now();
			}
			refused = answer_all(fault.out_fault_fd, resp, n);
			late += refused;
			answered += n - refused;
		}
		if (now() - last >= 0.5) {
			unsigned int upto = __atomic_load_n(&injected,
							    __ATOMIC_ACQUIRE);

			summary("live", fault.out_fault_id, answered, since,
				now() - last, from);
			since = answered;
			from = upto;
			last = now();
		}
	}
	pthread_join(device, NULL);
	summary("total", fault.out_fault_id, answered, 0, now() - start, 0);
	if (pri)
		printf("vmm: woken %u times by EPOLLPRI (overflow)\n", pri);
	if (late)
		printf("vmm: %u answers came after the deadline and were refused (EINVAL)\n",
		       late);
	return check_device() | check_mappings(hwpt_id);
}
