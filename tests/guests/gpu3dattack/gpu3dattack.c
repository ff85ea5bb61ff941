/* The hostile virtio-gpu driver in 3D mode: tests/guests/gpuattack's
 * driver with VIRGL negotiated and its 3D cases (GPU3D): capset indexes and
 * ids that do not exist; contexts and resources named by the neighbour's
 * ids and by the backend's; command buffers naming the neighbour's
 * resources, oversized, cut short, unknown; transfer boxes and offsets
 * outside the resource and its backing, backing in another partition and
 * the hypervisor. Each refused with its error, the device drawing after
 * each. Runs in "attacker" of tests/configs/good/linux-gl-attack.dts
 * (tests/linux/test_gl.py), its neighbour gl at 0x50000000 rendering
 * with kmscube meanwhile.
 * proves: GPU3D-4 */
#define GUEST_NAME "gpu3dattack"
#define GPU3D 1
/* The 2D cases are gpuattack's to run (one of them expects 3D refused). */
#pragma GCC diagnostic ignored "-Wunused-function"
#include "../gpuattack/gpuattack.c"
