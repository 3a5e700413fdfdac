/* keepalived.conf preprocessor + lexer + keyword tree on arbitrary bytes. Includes are
 * confined to an empty scratch directory so fuzz input cannot read files or recurse. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dk_conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char root[] = "/tmp/dk_fuzz_conf_root";
	struct dk_diag diag = { .quiet = 1 };
	struct dk_conf_load_params p = { .path = "/tmp/dk_fuzz_conf_root/fuzz.conf",
					 .instance_id = "lb1", .include_root = root,
					 .max_include_depth = 2 };
	struct dk_conf *c = NULL;
	char *text;

	mkdir(root, 0700);
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	p.text = text;
	dk_conf_load_ex(&p, &c, &diag, NULL);
	dk_conf_free(c);
	free(text);
	return 0;
}
