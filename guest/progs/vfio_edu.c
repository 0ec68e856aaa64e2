// SPDX-License-Identifier: GPL-2.0
/*
 * Boot test of a real IOMMU driver under iommufd: QEMU's edu device,
 * bound to vfio-pci, is bound to iommufd through its VFIO cdev and
 * attached to an IOAS that maps one page, as a VMM does. Then the test
 * asks for a fault-capable paging HWPT: edu can neither stall nor issue
 * PCIe page requests, so either the driver refuses the HWPT or the attach
 * fails, with EOPNOTSUPP, and the device stays on its IOAS.
 *
 *   vfio_edu /dev/vfio/devices/vfioN
 *
 * Prints TAP-style "ok"/"not ok" lines; exits non-zero on any failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/iommufd.h>
#include <linux/vfio.h>

static int failed, nr;

static void result(int ok, const char *what, int err)
{
	nr++;
	if (ok)
		printf("ok %d %s\n", nr, what);
	else
		printf("not ok %d %s: %s\n", nr, what, strerror(err));
	failed |= !ok;
}

int main(int argc, char **argv)
{
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	struct vfio_device_attach_iommufd_pt attach = {
		.argsz = sizeof(attach),
	};
	struct iommu_ioas_alloc ioas = { .size = sizeof(ioas) };
	struct iommu_fault_alloc fault = { .size = sizeof(fault) };
	struct iommu_ioas_map map = {
		.size = sizeof(map),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
		.iova = 0x100000,
		.length = 4096,
	};
	struct iommu_hwpt_alloc hwpt = { .size = sizeof(hwpt) };
	int iommufd, devfd, rc, err;
	__u32 first_pt;
	void *page;

	if (argc != 2) {
		fprintf(stderr, "usage: vfio_edu /dev/vfio/devices/vfioN\n");
		return 2;
	}
	printf("1..7\n");
	iommufd = open("/dev/iommu", O_RDWR);
	devfd = open(argv[1], O_RDWR);
	result(iommufd >= 0 && devfd >= 0, "open /dev/iommu and the VFIO cdev",
	       errno);
	if (iommufd < 0 || devfd < 0)
		return 1;

	bind.iommufd = iommufd;
	rc = ioctl(devfd, VFIO_DEVICE_BIND_IOMMUFD, &bind);
	result(!rc, "VFIO_DEVICE_BIND_IOMMUFD", errno);
	if (rc)
		return 1;
	printf("# dev_id %u\n", bind.out_devid);

	rc = ioctl(iommufd, IOMMU_IOAS_ALLOC, &ioas);
	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	map.ioas_id = ioas.out_ioas_id;
	map.user_va = (__u64)(unsigned long)page;
	if (!rc)
		rc = ioctl(iommufd, IOMMU_IOAS_MAP, &map);
	result(!rc, "IOAS with one page mapped at IOVA 0x100000", errno);

	attach.pt_id = ioas.out_ioas_id;
	rc = ioctl(devfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach);
	result(!rc, "VFIO_DEVICE_ATTACH_IOMMUFD_PT to the IOAS", errno);
	first_pt = attach.pt_id;
	printf("# attached to HWPT %u\n", first_pt);

	rc = ioctl(iommufd, IOMMU_FAULT_QUEUE_ALLOC, &fault);
	result(!rc, "IOMMU_FAULT_QUEUE_ALLOC", errno);

	/* A fault-capable paging HWPT: the device cannot fault */
	hwpt.flags = IOMMU_HWPT_FAULT_ID_VALID;
	hwpt.dev_id = bind.out_devid;
	hwpt.pt_id = ioas.out_ioas_id;
	hwpt.fault_id = fault.out_fault_id;
	rc = ioctl(iommufd, IOMMU_HWPT_ALLOC, &hwpt);
	err = errno;
	if (!rc) {
		printf("# the driver allocated fault-capable HWPT %u\n",
		       hwpt.out_hwpt_id);
		attach.pt_id = hwpt.out_hwpt_id;
		rc = ioctl(devfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach);
		err = errno;
		printf("# attaching it: %s\n", rc ? strerror(err) : "attached");
	} else {
		printf("# the driver refused a fault-capable HWPT: %s\n",
		       strerror(err));
	}
	result(rc && err == EOPNOTSUPP,
	       "a device that cannot fault gets EOPNOTSUPP", rc ? err : 0);

	/* Still on its IOAS: attaching there again is a no-op replace */
	attach.pt_id = first_pt;
	rc = ioctl(devfd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach);
	result(!rc && attach.pt_id == first_pt,
	       "the device stays attached to its first HWPT", errno);
	return failed;
}
