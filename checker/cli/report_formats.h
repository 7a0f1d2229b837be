#pragma once
// Check results in the formats kernel CI reads: TAP as kselftest prints it
// (`check --tap`) and JUnit XML (`check --junit FILE`).
#include <string>
#include <vector>

#include "driver/run.h"

namespace ptcheck::cli {

std::string tap_report(const std::vector<CheckResult>& results);
std::string junit_report(const std::vector<CheckResult>& results);

}  // namespace ptcheck::cli
