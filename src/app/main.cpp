#include <cstdio>
#include <string>
#include <vector>

#include "centrala/app/commands.hpp"

namespace {
void usage() {
    std::fputs(
        "usage:\n"
        "  centrala serve [--config FILE] [--listen HOST:PORT] [--db PATH] [--demo]\n"
        "  centrala migrate --db PATH\n"
        "  centrala user add --db PATH --username NAME --role agent|supervisor|admin\n"
        "                    [--display-name TEXT] [--skills vehicles:5,waste:3] [--department ID]\n"
        "                    [--config FILE]\n"
        "                    (password read from standard input, one line)\n"
        "  centrala backup --db PATH --to FILE\n",
        stderr);
}
}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty()) {
        usage();
        return 2;
    }
    const std::string cmd = args[0];
    args.erase(args.begin());
    if (cmd == "serve") return centrala::app::run_serve(args);
    if (cmd == "migrate") return centrala::app::run_migrate(args);
    if (cmd == "backup") return centrala::app::run_backup(args);
    if (cmd == "user" && !args.empty() && args[0] == "add") {
        args.erase(args.begin());
        return centrala::app::run_user_add(args);
    }
    if (cmd == "--help" || cmd == "-h" || cmd == "help") {
        usage();
        return 0;
    }
    std::fprintf(stderr, "centrala: unknown command '%s'\n", cmd.c_str());
    usage();
    return 2;
}
