// Placeholder entry point until the CLI lands.
#include <cstdio>
int main() { std::puts("ptcheck: not yet"); return 0; }
