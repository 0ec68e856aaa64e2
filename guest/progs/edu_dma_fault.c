// SPDX-License-Identifier: GPL-2.0
/*
 * End to end: a DMA the IOMMU blocks reaches userspace through a fault
 * queue, on the machine's real IOMMU (QEMU's VT-d or SMMUv3) and QEMU's
 * edu device. As a VMM does: the device, bound to vfio-pci, is bound to
 * iommufd through its VFIO cdev and attached to a paging HWPT on an IOAS
 * that maps one page; the HWPT has a fault queue that takes unrecoverable
 * faults. edu can neither stall nor issue page requests: such a queue
 * accepts it all the same. Then edu's DMA engine reads the mapped page
 * (it works, and no record arrives), and an unmapped IOVA (the DMA fails,
 * and a record arrives with the device, address and access).
 *
 *   edu_dma_fault /dev/vfio/devices/vfioN
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

/* edu's registers (QEMU docs/specs/edu.rst) */
#define EDU_IDENT	0x00
#define EDU_DMA_SRC	0x80
#define EDU_DMA_DST	0x88
#define EDU_DMA_COUNT	0x90
#define EDU_DMA_CMD	0x98
#define EDU_DMA_START	0x1
#define EDU_DMA_TO_RAM	0x2
#define EDU_BUFFER	0x40000
/* QEMU 7.2's edu aborts on a 4096-byte DMA (off by one): stay below */
#define DMA_LEN		2048

/*
 * Why a read of an unmapped IOVA fails, literally from the specifications.
 * VT-d (legacy mode, QEMU's default), section 7.1.3: fault reason 6h, a
 * read through a second-level entry whose R bit is 0. Such an entry is
 * also how "not present" is written, so the kernel cannot tell: uAPI
 * reason 3, no access. SMMUv3 (IHI 0070, 7.3.13): F_TRANSLATION, event
 * 0x10, a translation fault: uAPI reason 1, not present.
 */
#ifdef __x86_64__
#define EXPECTED_REASON		3
#define EXPECTED_HW_REASON	0x6
#else
#define EXPECTED_REASON		1
#define EXPECTED_HW_REASON	0x10
#endif

#define MAPPED_IOVA	0x100000ULL
#define UNMAPPED_IOVA	0x200000ULL

static int failed, nr;
static volatile uint8_t *bar0;

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

static void edu_write64(unsigned int reg, uint64_t val)
{
	*(volatile uint64_t *)(bar0 + reg) = val;
}

static uint64_t edu_read64(unsigned int reg)
{
	return *(volatile uint64_t *)(bar0 + reg);
}

/* One DMA, then wait for edu to finish it (a 100 ms timer in QEMU) */
static int edu_dma(uint64_t src, uint64_t dst, uint64_t cmd)
{
	struct timespec ts = { .tv_nsec = 10 * 1000 * 1000 };
	int i;

	edu_write64(EDU_DMA_SRC, src);
	edu_write64(EDU_DMA_DST, dst);
	edu_write64(EDU_DMA_COUNT, DMA_LEN);
	edu_write64(EDU_DMA_CMD, cmd | EDU_DMA_START);
	for (i = 0; i != 500; i++) {
		if (!(edu_read64(EDU_DMA_CMD) & EDU_DMA_START))
			return 0;
		nanosleep(&ts, NULL);
	}
	return -1;
}

static void map_bar0(int devfd)
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
static void enable_bus_master(int devfd)
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

static int wait_readable(int fd, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, ms) == 1 && (pfd.revents & POLLIN);
}

int main(int argc, char **argv)
{
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	struct vfio_device_attach_iommufd_pt attach = {
		.argsz = sizeof(attach),
	};
	struct iommu_ioas_alloc ioas = { .size = sizeof(ioas) };
	struct iommu_fault_alloc both = {
		.size = sizeof(both),
		.flags = IOMMU_FAULT_QUEUE_UNRECOVERABLE,
	};
	struct iommu_fault_alloc fault = {
		.size = sizeof(fault),
		.flags = IOMMU_FAULT_QUEUE_UNRECOVERABLE |
			 IOMMU_FAULT_QUEUE_UNRECOVERABLE_ONLY,
	};
	struct iommu_ioas_map map = {
		.size = sizeof(map),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
		.iova = MAPPED_IOVA,
		.length = 4096,
	};
	struct iommu_hwpt_alloc hwpt = { .size = sizeof(hwpt) };
	struct iommu_fault_queue_info info = { .size = sizeof(info) };
	struct iommu_fault_record_unrecoverable rec[8];
	int iommufd, devfd, i, n, ok;
	uint8_t *page;

	if (argc != 2) {
		fprintf(stderr, "usage: edu_dma_fault /dev/vfio/devices/vfioN\n");
		return 2;
	}
	printf("1..7\n");
	CHECK(iommufd = open("/dev/iommu", O_RDWR));
	CHECK(devfd = open(argv[1], O_RDWR));
	bind.iommufd = iommufd;
	CHECK(ioctl(devfd, VFIO_DEVICE_BIND_IOMMUFD, &bind));

	CHECK(ioctl(iommufd, IOMMU_IOAS_ALLOC, &ioas));
	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(page == MAP_FAILED ? -1 : 0);
	for (i = 0; i != DMA_LEN; i++)
		page[i] = i * 7;
	map.ioas_id = ioas.out_ioas_id;
	map.user_va = (uintptr_t)page;
	CHECK(ioctl(iommufd, IOMMU_IOAS_MAP, &map));

	/*
	 * A queue for page requests too needs a fault-capable domain, which
	 * the driver does not give for a device that cannot fault (VT-d
	 * paging, an SMMUv3 master that cannot stall): refused, no fallback.
	 */
	CHECK(ioctl(iommufd, IOMMU_FAULT_QUEUE_ALLOC, &both));
	hwpt.flags = IOMMU_HWPT_FAULT_ID_VALID;
	hwpt.dev_id = bind.out_devid;
	hwpt.pt_id = ioas.out_ioas_id;
	hwpt.fault_id = both.out_fault_id;
	ok = ioctl(iommufd, IOMMU_HWPT_ALLOC, &hwpt) && errno == EOPNOTSUPP;
	if (!ok)
		printf("# HWPT_ALLOC with a queue for page requests: %s\n",
		       strerror(errno));
	result(ok, "the driver refuses a HWPT for page requests of a device that cannot fault");

	/* A queue for failed DMA only: a plain HWPT, from every driver */
	CHECK(ioctl(iommufd, IOMMU_FAULT_QUEUE_ALLOC, &fault));
	hwpt.fault_id = fault.out_fault_id;
	CHECK(ioctl(iommufd, IOMMU_HWPT_ALLOC, &hwpt));
	attach.pt_id = hwpt.out_hwpt_id;
	ok = !ioctl(devfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach);
	if (!ok)
		printf("# attach: %s\n", strerror(errno));
	result(ok, "a device that cannot fault attaches to a HWPT whose queue takes unrecoverable faults only");
	if (!ok)
		return 1;
	printf("# dev_id %u, HWPT %u, fault queue %u\n", bind.out_devid,
	       hwpt.out_hwpt_id, fault.out_fault_id);

	map_bar0(devfd);
	enable_bus_master(devfd);
	printf("# edu ident 0x%08x\n", *(volatile uint32_t *)(bar0 + EDU_IDENT));

	/* The mapped page: it reads it, writes it back; no record */
	ok = !edu_dma(MAPPED_IOVA, EDU_BUFFER, 0) &&
	     !edu_dma(EDU_BUFFER, MAPPED_IOVA + DMA_LEN, EDU_DMA_TO_RAM);
	result(ok && !memcmp(page, page + DMA_LEN, DMA_LEN),
	       "DMA through the mapped page works");
	result(!wait_readable(fault.out_fault_fd, 300),
	       "a DMA that works produces no record");

	/* An IOVA nothing is mapped at: the DMA fails, the record arrives */
	edu_dma(UNMAPPED_IOVA, EDU_BUFFER, 0);
	ok = wait_readable(fault.out_fault_fd, 5000);
	n = ok ? read(fault.out_fault_fd, rec, sizeof(rec)) : -1;
	n = n > 0 ? n / (int)sizeof(rec[0]) : 0;
	result(n > 0, "a DMA to an unmapped IOVA produces a record");
	for (i = 0; i != n; i++)
		printf("# record: type %u size %u dev_id %u addr 0x%llx perm 0x%x reason %u hw_reason 0x%x flags 0x%x\n",
		       rec[i].hdr.type, rec[i].hdr.size, rec[i].dev_id,
		       (unsigned long long)rec[i].addr, rec[i].perm,
		       rec[i].reason, rec[i].hw_reason, rec[i].flags);
	ok = n > 0;
	for (i = 0; i != n; i++)
		ok &= rec[i].hdr.type == IOMMU_FAULT_RECORD_UNRECOVERABLE &&
		      rec[i].hdr.size == sizeof(rec[i]) &&
		      rec[i].dev_id == bind.out_devid &&
		      (rec[i].addr & ~0xfffULL) == UNMAPPED_IOVA &&
		      rec[i].perm == IOMMU_PGFAULT_PERM_READ &&
		      rec[i].reason == EXPECTED_REASON &&
		      rec[i].hw_reason == EXPECTED_HW_REASON &&
		      !(rec[i].flags & IOMMU_FAULT_UNRECOVERABLE_PASID_VALID);
	result(ok, "the record has the device, the address, a read, and why");

	info.fault_id = fault.out_fault_id;
	CHECK(ioctl(iommufd, IOMMU_FAULT_QUEUE_INFO, &info));
	printf("# queue: %llu unrecoverable records read, %llu dropped, %u queued\n",
	       (unsigned long long)info.out_unrecoverable_delivered,
	       (unsigned long long)info.out_unrecoverable_dropped,
	       info.out_unrecoverable_queued);
	result(info.out_unrecoverable_delivered == (unsigned int)n &&
	       !info.out_pending,
	       "the queue counted them, and holds no page request");
	return failed;
}
