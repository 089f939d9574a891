// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * A libFuzzer-compatible driver for compilers without libFuzzer (gcc):
 * runs LLVMFuzzerTestOneInput once per file named on the command line,
 * descending into directories; "--" flags go to LLVMFuzzerInitialize, as
 * libFuzzer passes them. Used to replay the corpus as a test.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static int run_file(const char *path)
{
	static uint8_t buf[1 << 20];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f) {
		perror(path);
		return 1;
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, n);
	return 0;
}

static int run_path(const char *path, unsigned long *count)
{
	struct stat st;
	DIR *d;
	struct dirent *e;
	int err = 0;

	if (stat(path, &st))
		return perror(path), 1;
	if (!S_ISDIR(st.st_mode)) {
		(*count)++;
		return run_file(path);
	}
	d = opendir(path);
	while (d && (e = readdir(d))) {
		char sub[4096];

		if (e->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
		err |= run_path(sub, count);
	}
	if (d)
		closedir(d);
	return err;
}

int main(int argc, char **argv)
{
	unsigned long count = 0;
	int err = 0;

	LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 1; i < argc; i++)
		if (strncmp(argv[i], "--", 2))
			err |= run_path(argv[i], &count);
	printf("replayed %lu inputs\n", count);
	return err;
}
