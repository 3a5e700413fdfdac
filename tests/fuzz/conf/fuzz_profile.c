/* Profile parser on arbitrary bytes: must never crash, leak or read past the input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dk_profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dk_profile prof;
	struct dk_diag diag = { .quiet = 1 };
	char *text = malloc(size + 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	dk_profile_parse_string(text, "fuzz", &prof, &diag);
	if (prof.n_ports > DK_PROFILE_MAX_PORTS || prof.n_routes > DK_PROFILE_MAX_ROUTES)
		abort();
	free(text);
	return 0;
}
