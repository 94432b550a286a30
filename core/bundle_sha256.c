/* SPDX-License-Identifier: MIT */
/* SHA-256 (FIPS 180-4), small and self-contained, for the checksums of a bundle's manifest. */
#include "vmdoctor/bundle.h"

#include <stdio.h>
#include <string.h>

static const uint32_t sha_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t sha_ror(uint32_t x, unsigned n)
{
	return (x >> n) | (x << (32 - n));
}

static void sha_block(uint32_t h[8], const unsigned char *p)
{
	uint32_t w[64], v[8];

	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (int i = 16; i < 64; i++) {
		uint32_t s0 = sha_ror(w[i - 15], 7) ^ sha_ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = sha_ror(w[i - 2], 17) ^ sha_ror(w[i - 2], 19) ^ (w[i - 2] >> 10);

		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	memcpy(v, h, sizeof v);
	for (int i = 0; i < 64; i++) {
		uint32_t s1 = sha_ror(v[4], 6) ^ sha_ror(v[4], 11) ^ sha_ror(v[4], 25);
		uint32_t ch = (v[4] & v[5]) ^ (~v[4] & v[6]);
		uint32_t t1 = v[7] + s1 + ch + sha_k[i] + w[i];
		uint32_t s0 = sha_ror(v[0], 2) ^ sha_ror(v[0], 13) ^ sha_ror(v[0], 22);
		uint32_t maj = (v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]);

		/* Shift the working variables by hand: a memmove here made hashing twice as slow. */
		v[7] = v[6];
		v[6] = v[5];
		v[5] = v[4];
		v[4] = v[3] + t1;
		v[3] = v[2];
		v[2] = v[1];
		v[1] = v[0];
		v[0] = t1 + s0 + maj;
	}
	for (int i = 0; i < 8; i++)
		h[i] += v[i];
}

void bundle_sha256_init(struct bundle_sha256_ctx *c)
{
	static const uint32_t h0[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
					0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };

	memcpy(c->h, h0, sizeof h0);
	c->buf_len = 0;
	c->total = 0;
}

void bundle_sha256_update(struct bundle_sha256_ctx *c, const void *data, size_t len)
{
	const unsigned char *p = data;

	c->total += len;
	if (c->buf_len) {               /* fill the pending block first */
		size_t take = 64 - c->buf_len < len ? 64 - c->buf_len : len;

		memcpy(c->buf + c->buf_len, p, take);
		c->buf_len += take;
		p += take;
		len -= take;
		if (c->buf_len < 64)
			return;
		sha_block(c->h, c->buf);
		c->buf_len = 0;
	}
	for (; len >= 64; p += 64, len -= 64)
		sha_block(c->h, p);
	memcpy(c->buf, p, len);
	c->buf_len = len;
}

void bundle_sha256_final(struct bundle_sha256_ctx *c, unsigned char out[32])
{
	unsigned char tail[128];
	size_t tail_len = c->buf_len + 1 + 8 <= 64 ? 64 : 128;
	uint64_t bits = c->total * 8;

	memset(tail, 0, sizeof tail);
	memcpy(tail, c->buf, c->buf_len);
	tail[c->buf_len] = 0x80;
	for (int i = 0; i < 8; i++)
		tail[tail_len - 1 - i] = (unsigned char)(bits >> (8 * i));
	sha_block(c->h, tail);
	if (tail_len == 128)
		sha_block(c->h, tail + 64);
	for (int i = 0; i < 32; i++)
		out[i] = (unsigned char)(c->h[i / 4] >> (24 - 8 * (i % 4)));
}

void bundle_sha256(const void *data, size_t len, unsigned char out[32])
{
	struct bundle_sha256_ctx c;

	bundle_sha256_init(&c);
	bundle_sha256_update(&c, data, len);
	bundle_sha256_final(&c, out);
}

void bundle_sha256_digest_hex(const unsigned char d[32], char out[65])
{
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

void bundle_sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char d[32];

	bundle_sha256(data, len, d);
	bundle_sha256_digest_hex(d, out);
}
