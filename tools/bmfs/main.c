/* build/bmfs: see tool.h and bmfs.c. */
#include "tool.h"

int main(int argc, char **argv)
{
	return bmfs_tool(argc, argv, stdout, stderr);
}
