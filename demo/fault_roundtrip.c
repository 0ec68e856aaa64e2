// SPDX-License-Identifier: GPL-2.0
/*
 * One IO page fault round trip on the iommufd mock device, told step by
 * step: what a VMM does, and what the kernel answered.
 *
 * IOAS -> mock device -> nest parent HWPT -> fault queue -> nested HWPT
 * with the fault queue -> attach -> the mock raises a page request ->
 * read() the record -> write() the response.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/iommufd.h>
#include "iommufd_test.h"

static int iommufd;

#define CHECK(call)                                                        \
	do {                                                               \
		if ((call) < 0) {                                          \
			fprintf(stderr, "demo: %s: %s\n", #call,           \
				strerror(errno));                          \
			exit(1);                                           \
		}                                                          \
	} while (0)

static __u32 hwpt_alloc(__u32 dev_id, __u32 pt_id, __u32 flags,
			__u32 fault_id, __u32 data_type, void *data,
			__u32 data_len)
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

int main(void)
{
	struct iommu_ioas_alloc ioas = { .size = sizeof(ioas) };
	struct iommu_test_cmd mock = {
		.size = sizeof(mock),
		.op = IOMMU_TEST_OP_MOCK_DOMAIN,
	};
	struct iommu_fault_alloc fault = { .size = sizeof(fault) };
	struct iommu_hwpt_selftest data = { .iotlb = IOMMU_TEST_IOTLB_DEFAULT };
	struct iommu_test_cmd replace = {
		.size = sizeof(replace),
		.op = IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE,
	};
	struct iommu_test_cmd trigger = {
		.size = sizeof(trigger),
		.op = IOMMU_TEST_OP_TRIGGER_IOPF,
		.trigger_iopf = {
			.pasid = 0x1,
			.grpid = 0x2,
			.perm = IOMMU_PGFAULT_PERM_READ |
				IOMMU_PGFAULT_PERM_WRITE,
			.addr = 0x12345000,
		},
	};
	struct iommu_hwpt_page_response resp = {
		.code = IOMMUFD_PAGE_RESP_SUCCESS,
	};
	struct iommu_hwpt_pgfault rec;
	__u32 parent, nested;
	struct pollfd pfd;
	ssize_t n;

	CHECK(iommufd = open("/dev/iommu", O_RDWR));
	CHECK(ioctl(iommufd, IOMMU_IOAS_ALLOC, &ioas));
	printf("demo: IOAS %u allocated\n", ioas.out_ioas_id);

	mock.id = ioas.out_ioas_id;
	CHECK(ioctl(iommufd, IOMMU_TEST_CMD, &mock));
	printf("demo: mock device %u bound (stdev %u)\n",
	       mock.mock_domain.out_idev_id, mock.mock_domain.out_stdev_id);

	parent = hwpt_alloc(mock.mock_domain.out_idev_id, ioas.out_ioas_id,
			    IOMMU_HWPT_ALLOC_NEST_PARENT, 0,
			    IOMMU_HWPT_DATA_NONE, NULL, 0);
	CHECK(ioctl(iommufd, IOMMU_FAULT_QUEUE_ALLOC, &fault));
	printf("demo: fault queue %u, fd %u\n", fault.out_fault_id,
	       fault.out_fault_fd);
	nested = hwpt_alloc(mock.mock_domain.out_idev_id, parent,
			    IOMMU_HWPT_FAULT_ID_VALID, fault.out_fault_id,
			    IOMMU_HWPT_DATA_SELFTEST, &data, sizeof(data));
	printf("demo: nested HWPT %u on parent %u carries the fault queue\n",
	       nested, parent);

	replace.id = mock.mock_domain.out_stdev_id;
	replace.mock_domain_replace.pt_id = nested;
	CHECK(ioctl(iommufd, IOMMU_TEST_CMD, &replace));
	printf("demo: device attached to HWPT %u\n", nested);

	trigger.trigger_iopf.dev_id = mock.mock_domain.out_idev_id;
	CHECK(ioctl(iommufd, _IOMMU_TEST_CMD(IOMMU_TEST_OP_TRIGGER_IOPF),
		    &trigger));
	printf("demo: device raised a page request for 0x%llx\n",
	       (unsigned long long)trigger.trigger_iopf.addr);

	pfd = (struct pollfd){ .fd = fault.out_fault_fd, .events = POLLIN };
	CHECK(poll(&pfd, 1, 5000));
	CHECK(n = read(fault.out_fault_fd, &rec, sizeof(rec)));
	printf("demo: read %zd bytes: dev %u pasid %u grpid %u perm 0x%x addr 0x%llx cookie %u\n",
	       n, rec.dev_id, rec.pasid, rec.grpid, rec.perm,
	       (unsigned long long)rec.addr, rec.cookie);

	resp.cookie = rec.cookie;
	CHECK(n = write(fault.out_fault_fd, &resp, sizeof(resp)));
	printf("demo: answered cookie %u with Success (%zd bytes)\n",
	       resp.cookie, n);

	n = write(fault.out_fault_fd, &resp, sizeof(resp));
	printf("demo: answering cookie %u again: %s\n", resp.cookie,
	       n < 0 ? strerror(errno) : "accepted");
	printf("demo: round trip complete\n");
	return 0;
}
