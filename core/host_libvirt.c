/* SPDX-License-Identifier: MIT */
/* The host layer's libvirt part: one libvirt conversation in a child with a deadline, and libvirt/state.json. */
#include "vmdoctor/host.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>

#include "host_private.h"
#include "vmdoctor/xalloc.h"

/* The libvirt functions the diagnosis calls, resolved in the child (core/host_libvirt_child.c). */
#define LV_API(X) \
	X(virConnectPtr, virConnectOpen, (const char *name)) \
	X(virConnectPtr, virConnectOpenReadOnly, (const char *name)) \
	X(int, virConnectClose, (virConnectPtr conn)) \
	X(const char *, virConnectGetType, (virConnectPtr conn)) \
	X(int, virConnectGetLibVersion, (virConnectPtr conn, unsigned long *libVer)) \
	X(char *, virConnectGetCapabilities, (virConnectPtr conn)) \
	X(int, virConnectListAllNetworks, (virConnectPtr conn, virNetworkPtr **nets, unsigned int flags)) \
	X(int, virConnectListAllStoragePools, (virConnectPtr conn, virStoragePoolPtr **pools, unsigned int flags)) \
	X(int, virConnectListAllDomains, (virConnectPtr conn, virDomainPtr **domains, unsigned int flags)) \
	X(const char *, virNetworkGetName, (virNetworkPtr network)) \
	X(int, virNetworkIsActive, (virNetworkPtr net)) \
	X(int, virNetworkIsPersistent, (virNetworkPtr net)) \
	X(int, virNetworkGetAutostart, (virNetworkPtr network, int *autostart)) \
	X(char *, virNetworkGetXMLDesc, (virNetworkPtr network, unsigned int flags)) \
	X(int, virNetworkFree, (virNetworkPtr network)) \
	X(const char *, virStoragePoolGetName, (virStoragePoolPtr pool)) \
	X(int, virStoragePoolIsActive, (virStoragePoolPtr pool)) \
	X(int, virStoragePoolGetAutostart, (virStoragePoolPtr pool, int *autostart)) \
	X(char *, virStoragePoolGetXMLDesc, (virStoragePoolPtr pool, unsigned int flags)) \
	X(int, virStoragePoolFree, (virStoragePoolPtr pool)) \
	X(const char *, virDomainGetName, (virDomainPtr domain)) \
	X(int, virDomainGetState, (virDomainPtr domain, int *state, int *reason, unsigned int flags)) \
	X(char *, virDomainGetXMLDesc, (virDomainPtr domain, unsigned int flags)) \
	X(int, virDomainFree, (virDomainPtr domain)) \
	X(int, virCopyLastError, (virErrorPtr to)) \
	X(void, virResetError, (virErrorPtr err))

static struct {
#define LV_FIELD(ret, name, args) ret (*name) args;
	LV_API(LV_FIELD)
#undef LV_FIELD
} lv_api;

#define LV_SYM(ret, name, args) { #name, (void **)&lv_api.name },
static const struct host_libvirt_sym lv_syms[] = { LV_API(LV_SYM) };
#undef LV_SYM

/*
 * Connection policy: the child first opens `uri` read-write with virConnectOpen() (no auth
 * callback, so nothing ever prompts), because only that tells whether the person may manage
 * VMs (socket permission, polkit). When that is refused it opens read-only, which normally
 * needs no rights, and still collects the state: `conn` keeps the read-write verdict and
 * `read_only` says where the data came from. LIBVIRT_AUTOSTART=0 (set by host_libvirt_load()) keeps
 * qemu:///session from spawning a daemon as a side effect of a diagnosis.
 */

#define LV_DEFAULT_TIMEOUT_MS 5000
#define LV_XML_MAX ((size_t)1 << 20)            /* one domain/network XML kept at most */
#define LV_ITEMS_MAX 4096                       /* domains, networks, pools, disks per domain */
#define LV_PATH_DEPTH_MAX 64

#define LV_CONN_LIST(X) \
	X(HOST_LIBVIRT_OK, "ok") \
	X(HOST_LIBVIRT_NO_SOCKET, "no-socket") \
	X(HOST_LIBVIRT_REFUSED, "refused") \
	X(HOST_LIBVIRT_DENIED, "denied") \
	X(HOST_LIBVIRT_TIMEOUT, "timeout") \
	X(HOST_LIBVIRT_ERROR, "error")

#define LV_DAC_LIST(X) \
	X(HOST_LIBVIRT_DAC_UNCHECKED, "unchecked") \
	X(HOST_LIBVIRT_DAC_OK, "ok") \
	X(HOST_LIBVIRT_DAC_DENIED, "denied") \
	X(HOST_LIBVIRT_DAC_MISSING, "missing")

#define LV_NAME(id, name) [id] = name,
static const char *const lv_conn_names[] = { LV_CONN_LIST(LV_NAME) };
static const char *const lv_dac_names[] = { LV_DAC_LIST(LV_NAME) };
_Static_assert(sizeof lv_conn_names / sizeof lv_conn_names[0] == HOST_LIBVIRT_ERROR + 1, "conn names");
_Static_assert(sizeof lv_dac_names / sizeof lv_dac_names[0] == HOST_LIBVIRT_DAC_MISSING + 1, "dac names");

const char *host_libvirt_conn_name(enum host_libvirt_conn conn)
{
	return (unsigned)conn <= HOST_LIBVIRT_ERROR ? lv_conn_names[conn] : "error";
}

const char *host_libvirt_dac_name(enum host_libvirt_dac dac)
{
	return (unsigned)dac <= HOST_LIBVIRT_DAC_MISSING ? lv_dac_names[dac] : "unchecked";
}

static int lv_name_index(const char *const *names, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return (int)i;
	return -1;
}

/* ---- reading state.json ---- */

struct lv_parse {
	char *why;
	size_t why_len;
};

static int lv_bad(struct lv_parse *p, const char *what)
{
	snprintf(p->why, p->why_len, "libvirt/state.json: %s", what);
	return -EINVAL;
}

/* Optional string member: absent is "", another type is malformed. */
static int lv_text(struct lv_parse *p, json_t *obj, const char *key, char *out, size_t len)
{
	json_t *v = json_object_get(obj, key);
	out[0] = '\0';
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v)) {
		char what[96];
		snprintf(what, sizeof what, "\"%s\" is not a string", key);
		return lv_bad(p, what);
	}
	host_copy_text(out, len, json_string_value(v));
	return 0;
}

static int lv_bool(struct lv_parse *p, json_t *obj, const char *key, bool dflt, bool *out)
{
	json_t *v = json_object_get(obj, key);
	*out = dflt;
	if (!v)
		return 0;
	if (!json_is_boolean(v)) {
		char what[96];
		snprintf(what, sizeof what, "\"%s\" is not true or false", key);
		return lv_bad(p, what);
	}
	*out = json_is_true(v);
	return 0;
}

static int lv_ulong(struct lv_parse *p, json_t *obj, const char *key, unsigned long *out)
{
	json_t *v = json_object_get(obj, key);
	*out = 0;
	if (!v)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 0) {
		char what[96];
		snprintf(what, sizeof what, "\"%s\" is not a non-negative integer", key);
		return lv_bad(p, what);
	}
	*out = (unsigned long)json_integer_value(v);
	return 0;
}

static int lv_int(struct lv_parse *p, json_t *obj, const char *key, int *out)
{
	unsigned long v;
	int err = lv_ulong(p, obj, key, &v);
	*out = v > INT_MAX ? INT_MAX : (int)v;
	return err;
}

/* An optional array member; its elements are checked by the caller. */
static int lv_array(struct lv_parse *p, json_t *obj, const char *key, json_t **out, size_t *n)
{
	json_t *v = json_object_get(obj, key);
	*out = NULL;
	*n = 0;
	if (!v)
		return 0;
	if (!json_is_array(v) || json_array_size(v) > LV_ITEMS_MAX) {
		char what[96];
		snprintf(what, sizeof what, "\"%s\" is not a list (of at most %d entries)", key, LV_ITEMS_MAX);
		return lv_bad(p, what);
	}
	*out = v;
	*n = json_array_size(v);
	return 0;
}

static int lv_object_at(struct lv_parse *p, json_t *arr, size_t i, const char *key, json_t **out)
{
	*out = json_array_get(arr, i);
	if (!json_is_object(*out)) {
		char what[96];
		snprintf(what, sizeof what, "\"%s\"[%zu] is not an object", key, i);
		return lv_bad(p, what);
	}
	return 0;
}

static int lv_parse_net(struct lv_parse *p, json_t *o, struct host_libvirt_net *n)
{
	int err = lv_text(p, o, "name", n->name, sizeof n->name);
	err = err ? err : lv_bool(p, o, "active", false, &n->active);
	err = err ? err : lv_bool(p, o, "autostart", false, &n->autostart);
	err = err ? err : lv_bool(p, o, "persistent", true, &n->persistent);
	err = err ? err : lv_bool(p, o, "has_ip", false, &n->has_ip);
	return err ? err : lv_text(p, o, "bridge", n->bridge, sizeof n->bridge);
}

static int lv_parse_pool(struct lv_parse *p, json_t *o, struct host_libvirt_pool *pool)
{
	int err = lv_text(p, o, "name", pool->name, sizeof pool->name);
	err = err ? err : lv_bool(p, o, "active", false, &pool->active);
	err = err ? err : lv_bool(p, o, "autostart", false, &pool->autostart);
	return err ? err : lv_text(p, o, "target", pool->target, sizeof pool->target);
}

static int lv_parse_disk(struct lv_parse *p, json_t *o, struct host_libvirt_disk *d)
{
	char dac[32];
	int err = lv_text(p, o, "path", d->path, sizeof d->path);
	err = err ? err : lv_text(p, o, "device", d->device, sizeof d->device);
	err = err ? err : lv_bool(p, o, "readonly", false, &d->readonly);
	err = err ? err : lv_text(p, o, "blocker", d->blocker, sizeof d->blocker);
	err = err ? err : lv_text(p, o, "blocker_stat", d->blocker_stat, sizeof d->blocker_stat);
	err = err ? err : lv_text(p, o, "dac", dac, sizeof dac);
	if (err)
		return err;
	int i = dac[0] ? lv_name_index(lv_dac_names, sizeof lv_dac_names / sizeof lv_dac_names[0], dac) : 0;
	if (i < 0)
		return lv_bad(p, "disk \"dac\" is not unchecked, ok, denied or missing");
	d->dac = (enum host_libvirt_dac)i;
	return 0;
}

static int lv_parse_domain(struct lv_parse *p, json_t *o, struct host_libvirt_domain *d)
{
	json_t *arr;
	size_t n;
	int err = lv_text(p, o, "name", d->name, sizeof d->name);
	err = err ? err : lv_int(p, o, "state", &d->state);
	err = err ? err : lv_text(p, o, "type", d->type, sizeof d->type);
	err = err ? err : lv_bool(p, o, "efi", false, &d->efi);
	err = err ? err : lv_text(p, o, "loader", d->loader, sizeof d->loader);
	err = err ? err : lv_bool(p, o, "hugepages", false, &d->hugepages);
	err = err ? err : lv_ulong(p, o, "hugepage_kib", &d->hugepage_kib);
	err = err ? err : lv_ulong(p, o, "memory_kib", &d->memory_kib);
	err = err ? err : lv_text(p, o, "cpu_mode", d->cpu_mode, sizeof d->cpu_mode);
	err = err ? err : lv_array(p, o, "disks", &arr, &n);
	if (err)
		return err;
	d->disks = n ? xcalloc(n, sizeof *d->disks) : NULL;
	for (size_t i = 0; i < n; i++) {
		json_t *e;
		d->n_disks = i + 1;
		if ((err = lv_object_at(p, arr, i, "disks", &e)) || (err = lv_parse_disk(p, e, &d->disks[i])))
			return err;
	}
	if ((err = lv_array(p, o, "interfaces", &arr, &n)))
		return err;
	d->ifaces = n ? xcalloc(n, sizeof *d->ifaces) : NULL;
	for (size_t i = 0; i < n; i++) {
		json_t *e;
		d->n_ifaces = i + 1;
		if ((err = lv_object_at(p, arr, i, "interfaces", &e)) ||
		    (err = lv_text(p, e, "type", d->ifaces[i].type, sizeof d->ifaces[i].type)) ||
		    (err = lv_text(p, e, "source", d->ifaces[i].source, sizeof d->ifaces[i].source)))
			return err;
	}
	if ((err = lv_array(p, o, "hostdevs", &arr, &n)))
		return err;
	for (size_t i = 0; i < n; i++) {
		json_t *e = json_array_get(arr, i);
		char addr[32];
		if (!json_is_string(e))
			return lv_bad(p, "\"hostdevs\" is not a list of PCI addresses");
		host_copy_text(addr, sizeof addr, json_string_value(e));
		if (host_names_add(&d->hostdevs, addr) < 0)
			return -ENOMEM;
	}
	return 0;
}

#define LV_PARSE_LIST(p, root, key, arr_field, n_field, fn) \
	do { \
		json_t *arr_; \
		size_t n_; \
		int e_ = lv_array((p), (root), (key), &arr_, &n_); \
		if (e_) \
			return e_; \
		(arr_field) = n_ ? xcalloc(n_, sizeof *(arr_field)) : NULL; \
		for (size_t i_ = 0; i_ < n_; i_++) { \
			json_t *o_; \
			(n_field) = i_ + 1; /* counted first, so a failure half-way is freed too */ \
			if ((e_ = lv_object_at((p), arr_, i_, (key), &o_)) || (e_ = fn((p), o_, &(arr_field)[i_]))) \
				return e_; \
		} \
	} while (0)

static int lv_parse_root(struct lv_parse *p, json_t *root, struct host_libvirt_state *out)
{
	char conn[32];
	json_t *caps, *qconf;
	int err;

	if (!json_is_object(root))
		return lv_bad(p, "not a JSON object");
	if ((err = lv_text(p, root, "connection", conn, sizeof conn)))
		return err;
	int i = lv_name_index(lv_conn_names, sizeof lv_conn_names / sizeof lv_conn_names[0], conn);
	if (i < 0)
		return lv_bad(p, "\"connection\" is not ok, no-socket, refused, denied, timeout or error");
	out->conn = (enum host_libvirt_conn)i;
	err = lv_text(p, root, "uri", out->uri, sizeof out->uri);
	err = err ? err : lv_text(p, root, "message", out->message, sizeof out->message);
	err = err ? err : lv_int(p, root, "error_code", &out->error_code);
	err = err ? err : lv_int(p, root, "error_domain", &out->error_domain);
	err = err ? err : lv_bool(p, root, "read_only", false, &out->read_only);
	err = err ? err : lv_ulong(p, root, "lib_version", &out->lib_version);
	err = err ? err : lv_text(p, root, "driver", out->driver, sizeof out->driver);
	if (err)
		return err;
	caps = json_object_get(root, "capabilities");
	if (caps && !json_is_object(caps))
		return lv_bad(p, "\"capabilities\" is not an object");
	if (caps) {
		err = lv_bool(p, caps, "known", true, &out->caps_known);
		err = err ? err : lv_bool(p, caps, "kvm", false, &out->kvm_offered);
		err = err ? err : lv_text(p, caps, "emulator", out->emulator, sizeof out->emulator);
		if (err)
			return err;
	}
	qconf = json_object_get(root, "qemu_conf");
	out->dynamic_ownership = true;
	if (qconf && !json_is_object(qconf))
		return lv_bad(p, "\"qemu_conf\" is not an object");
	if (qconf) {
		err = lv_text(p, qconf, "user", out->qemu_user, sizeof out->qemu_user);
		err = err ? err : lv_text(p, qconf, "group", out->qemu_group, sizeof out->qemu_group);
		err = err ? err : lv_bool(p, qconf, "dynamic_ownership", true, &out->dynamic_ownership);
		if (err)
			return err;
	}
	LV_PARSE_LIST(p, root, "networks", out->nets, out->n_nets, lv_parse_net);
	LV_PARSE_LIST(p, root, "pools", out->pools, out->n_pools, lv_parse_pool);
	LV_PARSE_LIST(p, root, "domains", out->domains, out->n_domains, lv_parse_domain);
	return 0;
}

int host_libvirt_parse(const char *text, size_t len, struct host_libvirt_state *out, char *why, size_t why_len)
{
	struct lv_parse p = { why, why_len };
	json_error_t jerr;
	json_t *root;
	int err;

	memset(out, 0, sizeof *out);
	if (why_len)
		why[0] = '\0';
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		snprintf(why, why_len, "libvirt/state.json:%d: %s", jerr.line, jerr.text);
		return -EINVAL;
	}
	err = lv_parse_root(&p, root, out);
	json_decref(root);
	if (err)
		host_libvirt_free(out);
	return err;
}

void host_libvirt_free(struct host_libvirt_state *state)
{
	if (!state)
		return;
	for (size_t i = 0; i < state->n_domains; i++) {
		free(state->domains[i].disks);
		free(state->domains[i].ifaces);
		host_names_free(&state->domains[i].hostdevs);
	}
	free(state->domains);
	free(state->nets);
	free(state->pools);
	memset(state, 0, sizeof *state);
}

const struct host_libvirt_net *host_libvirt_find_net(const struct host_libvirt_state *s, const char *name)
{
	for (size_t i = 0; s && i < s->n_nets; i++)
		if (strcmp(s->nets[i].name, name) == 0)
			return &s->nets[i];
	return NULL;
}

const struct host_libvirt_pool *host_libvirt_find_pool(const struct host_libvirt_state *s, const char *name)
{
	for (size_t i = 0; s && i < s->n_pools; i++)
		if (strcmp(s->pools[i].name, name) == 0)
			return &s->pools[i];
	return NULL;
}

/* ---- the public queries ---- */

int host_libvirt_json(struct host *host, const char *uri, int timeout_ms, struct host_buf *out)
{
	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof *out);
	if (!host)
		return -EINVAL;
	if (!uri || !uri[0])
		uri = "qemu:///system";
	if (timeout_ms <= 0)
		timeout_ms = LV_DEFAULT_TIMEOUT_MS;
	if (!host->ops->libvirt_json)
		return host_fail(host, -ENODATA, "libvirt: this back end cannot ask libvirt");
	return host->ops->libvirt_json(host, uri, timeout_ms, out);
}

int host_libvirt(struct host *host, const char *uri, int timeout_ms, struct host_libvirt_state *out)
{
	struct host_buf buf;
	char why[256];
	int err;

	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof *out);
	err = host_libvirt_json(host, uri, timeout_ms, &buf);
	if (err < 0)
		return err;
	err = host_libvirt_parse(buf.data, buf.len, out, why, sizeof why);
	host_buf_free(&buf);
	if (err == -EINVAL)
		return host_fail(host, err, "%s", why);
	return err;
}

/* ---- the live side: XML helpers (libxml2 over text libvirt produced) ---- */

struct lv_xml {
	xmlDocPtr doc;
	xmlXPathContextPtr ctx;
};

static bool lv_xml_open(struct lv_xml *x, const char *text)
{
	x->doc = NULL;
	x->ctx = NULL;
	if (!text || strlen(text) > LV_XML_MAX)
		return false;
	x->doc = xmlReadMemory(text, (int)strlen(text), "libvirt.xml", NULL,
			       XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!x->doc)
		return false;
	x->ctx = xmlXPathNewContext(x->doc);
	return x->ctx != NULL;
}

static void lv_xml_close(struct lv_xml *x)
{
	if (x->ctx)
		xmlXPathFreeContext(x->ctx);
	if (x->doc)
		xmlFreeDoc(x->doc);
}

/* The string value of an XPath expression relative to `node` (NULL: the document), "" when none. */
static void lv_xpath_text(struct lv_xml *x, xmlNodePtr node, const char *expr, char *out, size_t len)
{
	out[0] = '\0';
	x->ctx->node = node ? node : xmlDocGetRootElement(x->doc);
	xmlXPathObjectPtr o = xmlXPathEvalExpression((const xmlChar *)expr, x->ctx);
	if (!o)
		return;
	xmlChar *s = xmlXPathCastToString(o);
	if (s)
		host_copy_text(out, len, (const char *)s);
	xmlFree(s);
	xmlXPathFreeObject(o);
}

static bool lv_xpath_bool(struct lv_xml *x, xmlNodePtr node, const char *expr)
{
	x->ctx->node = node ? node : xmlDocGetRootElement(x->doc);
	xmlXPathObjectPtr o = xmlXPathEvalExpression((const xmlChar *)expr, x->ctx);
	if (!o)
		return false;
	bool b = xmlXPathCastToBoolean(o);
	xmlXPathFreeObject(o);
	return b;
}

/* The nodes of an XPath expression; free with xmlXPathFreeObject(). */
static xmlXPathObjectPtr lv_xpath_nodes(struct lv_xml *x, const char *expr, int *n)
{
	x->ctx->node = xmlDocGetRootElement(x->doc);
	xmlXPathObjectPtr o = xmlXPathEvalExpression((const xmlChar *)expr, x->ctx);
	*n = o && o->nodesetval ? o->nodesetval->nodeNr : 0;
	if (*n > LV_ITEMS_MAX)
		*n = LV_ITEMS_MAX;
	return o;
}

/* "1024" with unit "G" -> KiB, as libvirt's memory units go. */
static unsigned long lv_to_kib(const char *value, const char *unit)
{
	static const struct { const char *unit; unsigned long mul; double div; } units[] = {
		{ "", 1, 1 }, { "KiB", 1, 1 }, { "k", 1, 1 }, { "K", 1, 1 }, { "b", 1, 1024 }, { "bytes", 1, 1024 },
		{ "M", 1024, 1 }, { "MiB", 1024, 1 }, { "G", 1024ul * 1024, 1 }, { "GiB", 1024ul * 1024, 1 },
		{ "KB", 1, 1.024 }, { "MB", 1000, 1.024 }, { "GB", 1000ul * 1000, 1.024 },
	};
	char *end;
	unsigned long v = strtoul(value, &end, 10);
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
		if (strcmp(unit, units[i].unit) == 0)
			return (unsigned long)((double)v * (double)units[i].mul / units[i].div);
	return v;
}

/* ---- the live side: qemu.conf and the DAC walk ---- */

struct lv_qemu_id {
	char user[64], group[64];
	bool dynamic_ownership;
	bool known;             /* the uid/gid below resolved */
	uid_t uid;
	gid_t gid;
	gid_t groups[64];
	int n_groups;
};

/* `key = "value"` or `key = 1` in qemu.conf; false when not set (commented lines do not count). */
static bool lv_conf_value(const char *text, const char *key, char *out, size_t len)
{
	size_t klen = strlen(key);
	for (const char *line = text; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		while (*line == ' ' || *line == '\t')
			line++;
		if (strncmp(line, key, klen) != 0 || (line[klen] != ' ' && line[klen] != '=' && line[klen] != '\t'))
			continue;
		const char *v = strchr(line + klen, '=');
		const char *eol = strchr(line, '\n');
		if (!v || (eol && v > eol))
			continue;
		for (v++; *v == ' ' || *v == '\t' || *v == '"'; v++)
			;
		size_t n = strcspn(v, "\"\n #");
		if (n >= len)
			n = len - 1;
		memcpy(out, v, n);
		out[n] = '\0';
		return true;
	}
	return false;
}

static void lv_qemu_resolve(struct lv_qemu_id *id);

/* Debian and Ubuntu run QEMU as libvirt-qemu; Fedora and RHEL as qemu. */
static void lv_qemu_identity(struct lv_qemu_id *id)
{
	char text[65536] = "", value[64];
	int fd = open("/etc/libvirt/qemu.conf", O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd >= 0) {
		ssize_t n = read(fd, text, sizeof text - 1);
		text[n > 0 ? n : 0] = '\0';
		close(fd);
	}
	id->dynamic_ownership = !(lv_conf_value(text, "dynamic_ownership", value, sizeof value) && value[0] == '0');
	if (!lv_conf_value(text, "user", id->user, sizeof id->user))
		snprintf(id->user, sizeof id->user, "%s", getpwnam("libvirt-qemu") ? "libvirt-qemu" : "qemu");
	if (!lv_conf_value(text, "group", id->group, sizeof id->group))
		snprintf(id->group, sizeof id->group, "%s", getgrnam("libvirt-qemu") ? "libvirt-qemu" : id->user);
	lv_qemu_resolve(id);
}

/* uid, gid and supplementary groups of id->user / id->group; `known` stays false when the user does not exist. */
static void lv_qemu_resolve(struct lv_qemu_id *id)
{
	struct passwd *pw = getpwnam(id->user);
	if (!pw)
		return;
	id->uid = pw->pw_uid;
	struct group *gr = getgrnam(id->group);
	id->gid = gr ? gr->gr_gid : pw->pw_gid;
	id->n_groups = (int)(sizeof id->groups / sizeof id->groups[0]);
	if (getgrouplist(id->user, id->gid, id->groups, &id->n_groups) < 0)
		id->n_groups = 0;
	id->known = true;
}

static bool lv_in_groups(const struct lv_qemu_id *id, gid_t gid)
{
	if (gid == id->gid)
		return true;
	for (int i = 0; i < id->n_groups; i++)
		if (id->groups[i] == gid)
			return true;
	return false;
}

/* May the qemu identity do `want` (a mask of 4 r, 2 w, 1 x) on a file with `st`? ACLs are not read. */
static bool lv_may(const struct lv_qemu_id *id, const struct stat *st, unsigned want)
{
	unsigned bits;
	if (id->uid == 0)
		return true;
	if (st->st_uid == id->uid)
		bits = (st->st_mode >> 6) & 7;
	else if (lv_in_groups(id, st->st_gid))
		bits = (st->st_mode >> 3) & 7;
	else
		bits = st->st_mode & 7;
	return (bits & want) == want;
}

static void lv_stat_text(const struct stat *st, char *out, size_t len)
{
	static const char rwx[] = "rwxrwxrwx";
	char mode[11];
	mode[0] = S_ISDIR(st->st_mode) ? 'd' : '-';
	for (int i = 0; i < 9; i++)
		mode[i + 1] = st->st_mode & (0400u >> i) ? rwx[i] : '-';
	mode[10] = '\0';
	snprintf(out, len, "%s %u:%u", mode, (unsigned)st->st_uid, (unsigned)st->st_gid);
}

/* Walk every component of the disk's path as `namei -l` would, for the qemu identity. */
static void lv_dac_walk(const struct lv_qemu_id *id, struct host_libvirt_disk *d)
{
	char prefix[sizeof d->path];
	struct stat st;

	d->dac = HOST_LIBVIRT_DAC_UNCHECKED;
	if (!id->known || d->path[0] != '/')
		return;
	size_t len = strlen(d->path);
	for (size_t i = 1, depth = 0; i <= len && depth < LV_PATH_DEPTH_MAX; i++) {
		if (d->path[i] != '/' && d->path[i] != '\0')
			continue;
		depth++;
		bool last = d->path[i] == '\0';
		memcpy(prefix, d->path, i);
		prefix[i] = '\0';
		if (stat(prefix, &st) < 0) {
			if (errno == ENOENT || errno == ENOTDIR)
				d->dac = HOST_LIBVIRT_DAC_MISSING;
			return;
		}
		/* With dynamic_ownership libvirt chowns the image itself; only the directories can block. */
		unsigned want = !last ? 1 : (id->dynamic_ownership ? 0 : (d->readonly ? 4 : 6));
		if (want && !lv_may(id, &st, want)) {
			d->dac = HOST_LIBVIRT_DAC_DENIED;
			snprintf(d->blocker, sizeof d->blocker, "%s", prefix);
			lv_stat_text(&st, d->blocker_stat, sizeof d->blocker_stat);
			return;
		}
	}
	d->dac = HOST_LIBVIRT_DAC_OK;
}

void host_libvirt_dac_walk(const char *user, const char *group, bool dynamic_ownership, struct host_libvirt_disk *disk)
{
	struct lv_qemu_id id = { .dynamic_ownership = dynamic_ownership };
	snprintf(id.user, sizeof id.user, "%s", user);
	snprintf(id.group, sizeof id.group, "%s", group);
	lv_qemu_resolve(&id);
	memset(disk->blocker, 0, sizeof disk->blocker);
	memset(disk->blocker_stat, 0, sizeof disk->blocker_stat);
	lv_dac_walk(&id, disk);
}

/* ---- the live side: building the JSON in the child ---- */

static json_t *lv_str(const char *s)
{
	json_t *v = json_string(s ? s : "");
	/* Invalid UTF-8 from the host: keep a placeholder rather than lose the whole object. */
	return v ? v : json_string("?");
}

static void lv_set_error(json_t *root, const virError *e)
{
	const char *msg = e && e->message ? e->message : "unknown libvirt error";
	enum host_libvirt_conn conn = HOST_LIBVIRT_ERROR;
	if (strstr(msg, "No such file or directory"))
		conn = HOST_LIBVIRT_NO_SOCKET;
	else if (strstr(msg, "Connection refused"))
		conn = HOST_LIBVIRT_REFUSED;
	else if (strstr(msg, "Permission denied") || strstr(msg, "polkit") || strstr(msg, "authentication") ||
		 strstr(msg, "policy prevents") || (e && (e->code == VIR_ERR_AUTH_FAILED ||
							 e->code == VIR_ERR_AUTH_CANCELLED ||
							 e->code == VIR_ERR_AUTH_UNAVAILABLE)))
		conn = HOST_LIBVIRT_DENIED;
	json_object_set_new(root, "connection", json_string(host_libvirt_conn_name(conn)));
	json_object_set_new(root, "message", lv_str(msg));
	json_object_set_new(root, "error_code", json_integer(e ? e->code : 0));
	json_object_set_new(root, "error_domain", json_integer(e ? e->domain : 0));
}

static void lv_caps(virConnectPtr c, json_t *root)
{
	json_t *caps = json_object();
	char *xml = lv_api.virConnectGetCapabilities(c);
	struct lv_xml x;
	json_object_set_new(caps, "known", json_boolean(xml != NULL));
	if (xml && lv_xml_open(&x, xml)) {
		char emulator[256];
		json_object_set_new(caps, "kvm", json_boolean(lv_xpath_bool(
			&x, NULL, "/capabilities/guest/arch[@name='x86_64']/domain[@type='kvm']")));
		lv_xpath_text(&x, NULL, "string(/capabilities/guest/arch[@name='x86_64']/emulator)", emulator,
			      sizeof emulator);
		json_object_set_new(caps, "emulator", lv_str(emulator));
		json_object_set_new(caps, "xml", lv_str(xml));
	}
	if (xml)
		lv_xml_close(&x);
	free(xml);
	json_object_set_new(root, "capabilities", caps);
}

static int lv_cmp_name(const void *a, const void *b)
{
	const char *na = json_string_value(json_object_get(*(json_t *const *)a, "name"));
	const char *nb = json_string_value(json_object_get(*(json_t *const *)b, "name"));
	return strcmp(na ? na : "", nb ? nb : "");
}

/* ListAll* returns hash order: sort by name so that snapshots diff cleanly. */
static json_t *lv_sorted(json_t **items, size_t n)
{
	json_t *arr = json_array();
	qsort(items, n, sizeof *items, lv_cmp_name);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, items[i]);
	free(items);
	return arr;
}

static void lv_networks(virConnectPtr c, json_t *root)
{
	virNetworkPtr *nets = NULL;
	int n = lv_api.virConnectListAllNetworks(c, &nets, 0);
	json_t **items = xcalloc(n > 0 ? (size_t)n : 1, sizeof *items);
	size_t count = 0;
	int keep = n > LV_ITEMS_MAX ? LV_ITEMS_MAX : n;   /* state.json readers take no more */
	for (int i = 0; i < keep; i++) {
		json_t *o = json_object();
		int autostart = 0;
		char *xml = lv_api.virNetworkGetXMLDesc(nets[i], 0);
		struct lv_xml x;
		json_object_set_new(o, "name", lv_str(lv_api.virNetworkGetName(nets[i])));
		json_object_set_new(o, "active", json_boolean(lv_api.virNetworkIsActive(nets[i]) == 1));
		json_object_set_new(o, "persistent", json_boolean(lv_api.virNetworkIsPersistent(nets[i]) == 1));
		json_object_set_new(o, "autostart",
				    json_boolean(lv_api.virNetworkGetAutostart(nets[i], &autostart) == 0 && autostart));
		if (xml && lv_xml_open(&x, xml)) {
			char bridge[32];
			lv_xpath_text(&x, NULL, "string(/network/bridge/@name)", bridge, sizeof bridge);
			json_object_set_new(o, "bridge", lv_str(bridge));
			json_object_set_new(o, "has_ip", json_boolean(lv_xpath_bool(&x, NULL, "/network/ip or "
											"/network/forward")));
			json_object_set_new(o, "xml", lv_str(xml));
		}
		if (xml)
			lv_xml_close(&x);
		free(xml);
		lv_api.virNetworkFree(nets[i]);
		items[count++] = o;
	}
	for (int i = keep; i < n; i++)
		lv_api.virNetworkFree(nets[i]);
	free(nets);
	json_object_set_new(root, "networks", lv_sorted(items, count));
}

static void lv_pools(virConnectPtr c, json_t *root)
{
	virStoragePoolPtr *pools = NULL;
	int n = lv_api.virConnectListAllStoragePools(c, &pools, 0);
	json_t **items = xcalloc(n > 0 ? (size_t)n : 1, sizeof *items);
	size_t count = 0;
	int keep = n > LV_ITEMS_MAX ? LV_ITEMS_MAX : n;   /* state.json readers take no more */
	for (int i = 0; i < keep; i++) {
		json_t *o = json_object();
		int autostart = 0;
		char *xml = lv_api.virStoragePoolGetXMLDesc(pools[i], 0);
		struct lv_xml x;
		json_object_set_new(o, "name", lv_str(lv_api.virStoragePoolGetName(pools[i])));
		json_object_set_new(o, "active", json_boolean(lv_api.virStoragePoolIsActive(pools[i]) == 1));
		json_object_set_new(o, "autostart",
				    json_boolean(lv_api.virStoragePoolGetAutostart(pools[i], &autostart) == 0 && autostart));
		if (xml && lv_xml_open(&x, xml)) {
			char target[512];
			lv_xpath_text(&x, NULL, "string(/pool/target/path)", target, sizeof target);
			json_object_set_new(o, "target", lv_str(target));
		}
		if (xml)
			lv_xml_close(&x);
		free(xml);
		lv_api.virStoragePoolFree(pools[i]);
		items[count++] = o;
	}
	for (int i = keep; i < n; i++)
		lv_api.virStoragePoolFree(pools[i]);
	free(pools);
	json_object_set_new(root, "pools", lv_sorted(items, count));
}

static json_t *lv_domain_disks(struct lv_xml *x, const struct lv_qemu_id *id)
{
	json_t *arr = json_array();
	int n;
	xmlXPathObjectPtr o = lv_xpath_nodes(x, "/domain/devices/disk", &n);
	for (int i = 0; i < n; i++) {
		xmlNodePtr node = o->nodesetval->nodeTab[i];
		struct host_libvirt_disk d = { 0 };
		lv_xpath_text(x, node, "string(source/@file | source/@dev | source/@dir)", d.path, sizeof d.path);
		lv_xpath_text(x, node, "string(@device)", d.device, sizeof d.device);
		d.readonly = lv_xpath_bool(x, node, "readonly") || strcmp(d.device, "cdrom") == 0;
		if (id)
			lv_dac_walk(id, &d);
		json_t *e = json_object();
		json_object_set_new(e, "path", lv_str(d.path));
		json_object_set_new(e, "device", lv_str(d.device));
		json_object_set_new(e, "readonly", json_boolean(d.readonly));
		json_object_set_new(e, "dac", json_string(host_libvirt_dac_name(d.dac)));
		if (d.dac == HOST_LIBVIRT_DAC_DENIED) {
			json_object_set_new(e, "blocker", lv_str(d.blocker));
			json_object_set_new(e, "blocker_stat", lv_str(d.blocker_stat));
		}
		json_array_append_new(arr, e);
	}
	xmlXPathFreeObject(o);
	return arr;
}

static json_t *lv_domain_ifaces(struct lv_xml *x)
{
	json_t *arr = json_array();
	int n;
	xmlXPathObjectPtr o = lv_xpath_nodes(x, "/domain/devices/interface", &n);
	for (int i = 0; i < n; i++) {
		xmlNodePtr node = o->nodesetval->nodeTab[i];
		char type[16], source[64];
		lv_xpath_text(x, node, "string(@type)", type, sizeof type);
		lv_xpath_text(x, node, "string(source/@network | source/@bridge | source/@dev)", source,
			      sizeof source);
		json_t *e = json_object();
		json_object_set_new(e, "type", lv_str(type));
		json_object_set_new(e, "source", lv_str(source));
		json_array_append_new(arr, e);
	}
	xmlXPathFreeObject(o);
	return arr;
}

static json_t *lv_domain_hostdevs(struct lv_xml *x)
{
	json_t *arr = json_array();
	int n;
	xmlXPathObjectPtr o = lv_xpath_nodes(x, "/domain/devices/hostdev[@type='pci']/source/address", &n);
	for (int i = 0; i < n; i++) {
		xmlNodePtr node = o->nodesetval->nodeTab[i];
		static const char *const keys[] = { "string(@domain)", "string(@bus)", "string(@slot)",
						    "string(@function)" };
		unsigned long v[4];
		for (int k = 0; k < 4; k++) {
			char text[32];
			lv_xpath_text(x, node, keys[k], text, sizeof text);
			v[k] = strtoul(text, NULL, 0);
		}
		char addr[32];
		snprintf(addr, sizeof addr, "%04lx:%02lx:%02lx.%lx", v[0] & 0xffff, v[1] & 0xff, v[2] & 0x1f,
			 v[3] & 7);
		json_array_append_new(arr, json_string(addr));
	}
	xmlXPathFreeObject(o);
	return arr;
}

static json_t *lv_domain(virDomainPtr dom, const struct lv_qemu_id *id)
{
	json_t *o = json_object();
	int state = 0, reason = 0;
	char *xml = lv_api.virDomainGetXMLDesc(dom, 0);
	struct lv_xml x;

	json_object_set_new(o, "name", lv_str(lv_api.virDomainGetName(dom)));
	if (lv_api.virDomainGetState(dom, &state, &reason, 0) < 0)
		state = 0;
	json_object_set_new(o, "state", json_integer(state));
	if (xml && lv_xml_open(&x, xml)) {
		char text[256], unit[16];
		lv_xpath_text(&x, NULL, "string(/domain/@type)", text, sizeof text);
		json_object_set_new(o, "type", lv_str(text));
		json_object_set_new(o, "efi", json_boolean(lv_xpath_bool(
			&x, NULL, "/domain/os/@firmware='efi' or /domain/os/loader[@type='pflash']")));
		lv_xpath_text(&x, NULL, "string(/domain/os/loader)", text, sizeof text);
		json_object_set_new(o, "loader", lv_str(text));
		json_object_set_new(o, "hugepages",
				    json_boolean(lv_xpath_bool(&x, NULL, "/domain/memoryBacking/hugepages")));
		lv_xpath_text(&x, NULL, "string(/domain/memoryBacking/hugepages/page/@size)", text, sizeof text);
		lv_xpath_text(&x, NULL, "string(/domain/memoryBacking/hugepages/page/@unit)", unit, sizeof unit);
		json_object_set_new(o, "hugepage_kib", json_integer((json_int_t)lv_to_kib(text, unit)));
		lv_xpath_text(&x, NULL, "string(/domain/memory)", text, sizeof text);
		lv_xpath_text(&x, NULL, "string(/domain/memory/@unit)", unit, sizeof unit);
		json_object_set_new(o, "memory_kib", json_integer((json_int_t)lv_to_kib(text, unit)));
		lv_xpath_text(&x, NULL, "string(/domain/cpu/@mode)", text, sizeof text);
		json_object_set_new(o, "cpu_mode", lv_str(text));
		json_object_set_new(o, "disks", lv_domain_disks(&x, id));
		json_object_set_new(o, "interfaces", lv_domain_ifaces(&x));
		json_object_set_new(o, "hostdevs", lv_domain_hostdevs(&x));
		json_object_set_new(o, "xml", lv_str(xml));
	}
	if (xml)
		lv_xml_close(&x);
	free(xml);
	return o;
}

static void lv_domains(virConnectPtr c, const struct lv_qemu_id *id, json_t *root)
{
	virDomainPtr *doms = NULL;
	int n = lv_api.virConnectListAllDomains(c, &doms, 0);
	json_t **items = xcalloc(n > 0 ? (size_t)n : 1, sizeof *items);
	size_t count = 0;
	for (int i = 0; i < n && i < LV_ITEMS_MAX; i++) {
		items[count++] = lv_domain(doms[i], id);
	}
	for (int i = 0; i < n; i++)
		lv_api.virDomainFree(doms[i]);
	free(doms);
	json_object_set_new(root, "domains", lv_sorted(items, count));
}

/* The session daemon runs as the person, so a DAC walk as the qemu user would mean nothing there. */
static bool lv_uri_is_system(const char *uri)
{
	return strstr(uri, "/system") != NULL;
}

/* Everything the checks need, as the JSON object of libvirt/state.json. */
static json_t *lv_collect(const char *uri)
{
	json_t *root = json_object();
	virConnectPtr c;
	virError saved;

	json_object_set_new(root, "format", json_string("vmdoctor-libvirt"));
	json_object_set_new(root, "version", json_integer(1));
	json_object_set_new(root, "uri", lv_str(uri));

	c = lv_api.virConnectOpen(uri);
	if (!c) {
		/* Copy at once: the next libvirt call resets the thread's last error. */
		memset(&saved, 0, sizeof saved);
		lv_api.virCopyLastError(&saved);
		lv_set_error(root, &saved);
		bool denied = strcmp(json_string_value(json_object_get(root, "connection")), "denied") == 0;
		lv_api.virResetError(&saved);
		if (!denied)
			return root;
		c = lv_api.virConnectOpenReadOnly(uri);
		if (!c)
			return root;
		json_object_set_new(root, "read_only", json_true());
	} else {
		json_object_set_new(root, "connection", json_string("ok"));
	}

	unsigned long version = 0;
	const char *driver = lv_api.virConnectGetType(c);
	if (lv_api.virConnectGetLibVersion(c, &version) == 0)
		json_object_set_new(root, "lib_version", json_integer((json_int_t)version));
	json_object_set_new(root, "driver", lv_str(driver));
	lv_caps(c, root);
	struct lv_qemu_id id = { 0 };
	lv_qemu_identity(&id);
	json_t *qconf = json_object();
	json_object_set_new(qconf, "user", lv_str(id.user));
	json_object_set_new(qconf, "group", lv_str(id.group));
	json_object_set_new(qconf, "dynamic_ownership", json_boolean(id.dynamic_ownership));
	json_object_set_new(root, "qemu_conf", qconf);
	lv_networks(c, root);
	lv_pools(c, root);
	lv_domains(c, lv_uri_is_system(uri) ? &id : NULL, root);
	lv_api.virConnectClose(c);
	return root;
}

static void lv_write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		data += n;
		len -= (size_t)n;
	}
}

/* The child's job: talk to libvirt, write state.json's JSON on `fd`. */
static int lv_child(int fd, void *arg)
{
	const char *uri = arg;
	char why[256];
	json_t *root;
	if (host_libvirt_load(lv_syms, sizeof lv_syms / sizeof lv_syms[0], why, sizeof why)) {
		root = lv_collect(uri);
	} else {
		root = json_object();
		json_object_set_new(root, "format", json_string("vmdoctor-libvirt"));
		json_object_set_new(root, "version", json_integer(1));
		json_object_set_new(root, "uri", lv_str(uri));
		json_object_set_new(root, "connection", json_string(host_libvirt_conn_name(HOST_LIBVIRT_ERROR)));
		json_object_set_new(root, "message", lv_str(why));
	}
	char *text = json_dumps(root, JSON_COMPACT);
	if (text)
		lv_write_all(fd, text, strlen(text));
	return text ? 0 : 1;
}

/* A state.json for an answer the parent made up (timeout, child died). */
static void lv_synthetic(const char *uri, enum host_libvirt_conn conn, const char *message, struct host_buf *out)
{
	json_t *root = json_object();
	json_object_set_new(root, "format", json_string("vmdoctor-libvirt"));
	json_object_set_new(root, "version", json_integer(1));
	json_object_set_new(root, "uri", lv_str(uri));
	json_object_set_new(root, "connection", json_string(host_libvirt_conn_name(conn)));
	json_object_set_new(root, "message", lv_str(message));
	char *text = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	free(out->data);
	out->data = xstrdup(text ? text : "{}");
	out->len = strlen(out->data);
	out->truncated = false;
	free(text);
}

/* qemu:///system without any of its sockets: libvirt could only say so, so neither fork nor load it. */
static bool lv_system_socket_missing(const char *uri)
{
	static const char *const sockets[] = { "/run/libvirt/libvirt-sock", "/run/libvirt/virtqemud-sock" };
	if (strcmp(uri, "qemu:///system") != 0)
		return false;
	for (size_t i = 0; i < sizeof sockets / sizeof sockets[0]; i++)
		if (access(sockets[i], F_OK) == 0)
			return false;
	return true;
}

int host_libvirt_live_json(struct host *host, const char *uri, int timeout_ms, struct host_buf *out)
{
	if (atomic_exchange(&host->cancelled, false))
		return host_fail(host, -ECANCELED, "libvirt: skipped by the user");
	if (lv_system_socket_missing(uri)) {
		memset(out, 0, sizeof *out);
		lv_synthetic(uri, HOST_LIBVIRT_NO_SOCKET,
			     "Failed to connect socket to '/var/run/libvirt/libvirt-sock': No such file or directory", out);
		return 0;
	}

	/* Cancellable: a skip from the wizard (host_cancel()) ends the wait within a tenth of a second. */
	struct host_libvirt_job job = { .run = lv_child, .arg = (void *)uri, .timeout_ms = timeout_ms,
					.limit = HOST_LIBVIRT_JSON_MAX, .cancellable = true };
	struct host_libvirt_end end;
	int err = host_libvirt_run(host, "libvirt", &job, &end);
	if (err < 0)
		return err;
	*out = end.answer;
	if (end.cancelled) {
		host_buf_free(out);
		return host_fail(host, -ECANCELED, "libvirt: skipped by the user");
	}
	if (end.timed_out) {
		char msg[160];
		snprintf(msg, sizeof msg, "libvirt did not answer within %d ms (the daemon accepts but does not reply)",
			 timeout_ms);
		lv_synthetic(uri, HOST_LIBVIRT_TIMEOUT, msg, out);
	} else if (out->truncated) {
		lv_synthetic(uri, HOST_LIBVIRT_ERROR, "libvirt's answer was larger than vmdoctor reads", out);
	} else if (!WIFEXITED(end.status) || WEXITSTATUS(end.status) != 0 || out->len == 0) {
		lv_synthetic(uri, HOST_LIBVIRT_ERROR, "the libvirt client process failed", out);
	}
	return 0;
}
