// What this process can compute on now: LibTorch's CUDA backend and devices, and the driver's list.
#pragma once

#include "core/device/device_choice.h"

namespace srs::device {

DeviceAvailability currentDeviceAvailability();

}  // namespace srs::device
