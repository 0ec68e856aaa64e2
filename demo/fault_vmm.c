// SPDX-License-Identifier: GPL-2.0
/*
 * A VMM-style fault handler on the iommufd mock device.
 *
 * A "device" thread raises page request groups in bursts, as a guest's
 * device would. The main thread is the VMM's event loop: it epolls the
 * fault fd, reads what is queued, resolves it and answers it, and prints
 * a live summary every half second: faults/s, latency percentiles from
 * fault to answer, the queue's depth and pending groups, and its
 * overflow and deadline counters. At the end it checks the device side:
 * every group got exactly one response.
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
#include <time.h>
#include <unistd.h>

#include <linux/iommufd.h>
#include "iommufd_test.h"

#define MAX_GROUPS 200000
#define BURST 16
#define BATCH 64

static int iommufd;
static __u32 dev_id;
static volatile int device_done;
static unsigned int injected;
static double raised_at[MAX_GROUPS];
static double answered_at[MAX_GROUPS];

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
			.pasid = 1,
			.perm = IOMMU_PGFAULT_PERM_READ,
			.addr = 0x10000000,
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
		cmd.trigger_iopf.grpid = injected;
		CHECK(ioctl(iommufd, IOMMU_TEST_CMD, &cmd));
		__atomic_store_n(&injected, injected + BURST, __ATOMIC_RELEASE);
		usleep(200);
	}
	device_done = 1;
	return NULL;
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

static void queue_info(__u32 fault_id, struct iommu_fault_queue_info *info)
{
	*info = (struct iommu_fault_queue_info){
		.size = sizeof(*info),
		.fault_id = fault_id,
	};
	CHECK(ioctl(iommufd, IOMMU_FAULT_QUEUE_INFO, info));
}

static void summary(const char *tag, __u32 fault_id, unsigned int answered,
		    unsigned int since, double dt, unsigned int from)
{
	struct iommu_fault_queue_info info;
	double p50, p99;

	queue_info(fault_id, &info);
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
	struct iommu_hwpt_selftest data = { .iotlb = IOMMU_TEST_IOTLB_DEFAULT };
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
	__u32 parent;
	int ep, n = 0, i;

	CHECK(iommufd = open("/dev/iommu", O_RDWR));
	CHECK(ioctl(iommufd, IOMMU_IOAS_ALLOC, &ioas));
	mock.id = ioas.out_ioas_id;
	CHECK(ioctl(iommufd, IOMMU_TEST_CMD, &mock));
	dev_id = mock.mock_domain.out_idev_id;
	parent = hwpt_alloc(ioas.out_ioas_id, IOMMU_HWPT_ALLOC_NEST_PARENT, 0,
			    IOMMU_HWPT_DATA_NONE, NULL, 0);
	CHECK(ioctl(iommufd, IOMMU_FAULT_QUEUE_ALLOC, &fault));
	replace.id = mock.mock_domain.out_stdev_id;
	replace.mock_domain_replace.pt_id =
		hwpt_alloc(parent, IOMMU_HWPT_FAULT_ID_VALID, fault.out_fault_id,
			   IOMMU_HWPT_DATA_SELFTEST, &data, sizeof(data));
	CHECK(ioctl(iommufd, IOMMU_TEST_CMD, &replace));
	printf("vmm: device %u attached, fault queue %u: depth %u, deadline %u ms, %.1f s of bursts of %u groups\n",
	       dev_id, fault.out_fault_id, fault.depth, fault.deadline_ms,
	       seconds, BURST);

	CHECK(ep = epoll_create1(0));
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, fault.out_fault_fd, &ev));
	CHECK(pthread_create(&device, NULL, device_thread, &seconds) ? -1 : 0);

	start = last = now();
	while (!device_done || n > 0) {
		n = epoll_wait(ep, &ev, 1, 100);
		CHECK(n);
		if (n && (ev.events & EPOLLPRI)) {
			struct iommu_fault_queue_info info;

			queue_info(fault.out_fault_id, &info); /* clears it */
			if (!pri++)
				printf("vmm: EPOLLPRI: the queue overflowed, the kernel answered Success for us\n");
		}
		if (n && (ev.events & EPOLLIN)) {
			CHECK(n = read(fault.out_fault_fd, rec, sizeof(rec)));
			n /= sizeof(*rec);
			for (i = 0; i != n; i++) {
				/* Resolve: the mock needs nothing mapped. */
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
	return check_device();
}
