// The command line (contract section 1): serve, migrate, user add, backup.
#pragma once

#include <string>
#include <vector>

namespace centrala::app {

int run_serve(const std::vector<std::string>& args);
int run_migrate(const std::vector<std::string>& args);
int run_user_add(const std::vector<std::string>& args);
int run_backup(const std::vector<std::string>& args);

}  // namespace centrala::app
