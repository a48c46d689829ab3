// Temporary: cli/CMakeLists.txt still lists this file; it compiles the configuration
// resolution until the list names prisma_project.cpp and dotenv.cpp (then delete this file).
#include "dotenv.cpp"          // NOLINT(bugprone-suspicious-include)
#include "prisma_project.cpp"  // NOLINT(bugprone-suspicious-include)
