// A small SPDK-style tree, written for SPDK Lens, that every thread of a cold index reads before the real files.
//
// V8 optimises a function for the kinds of input it has seen so far. When a file later takes a branch the first
// files never took (a `//` comment at file scope, a subscripted store, a struct nested in a struct), the optimised
// code is thrown away and compiled again: on SPDK master that was a third of all optimising compiles, about a second
// of CPU on a machine with two cores. This sample takes every branch of the extractor and the linker that SPDK's own
// code takes (checked with V8's block coverage, see README), so each function is compiled once, knowing them all.
// It is also broken on purpose in places, as real trees are. Nothing it declares ever reaches an index.

export interface SampleFile {
  /** Path as if under an SPDK root: the linker's choices depend on folders (include/, test/, same folder). */
  file: string;
  text: string;
}

export const WARM_UP_SAMPLE: readonly SampleFile[] = [
  {
    file: 'include/spdk/warm_up.h',
    text: String.raw`/*   SPDX-License-Identifier: BSD-3-Clause
 *   Written for SPDK Lens: a warm-up sample that holds, once, each construct the extractor reads.
 */

/** \file
 * Warm-up declarations: callback typedefs, structs with function-pointer slots, prototypes, macros.
 */

#ifndef SPDK_WARM_UP_H
#define SPDK_WARM_UP_H

#include <stdint.h>
#include "spdk/queue.h"

#ifdef __cplusplus
extern "C" {
#endif

// A line comment at file scope, holding a { brace } and a "quote".

struct spdk_warm_thread;
struct spdk_warm_channel;

/**
 * Called with the result of an operation.
 *
 * \param cb_arg Argument given to the operation.
 * \param rc 0 on success.
 */
typedef void (*spdk_warm_done_fn)(void *cb_arg, int rc);
typedef int (*spdk_warm_poller_fn)(void *ctx);
typedef void (spdk_warm_msg_fn)(void *ctx);
typedef int spdk_warm_status_t;
typedef struct spdk_warm_opts spdk_warm_opts_t;
typedef void *(*spdk_warm_alloc_fn)(size_t size, const char *name);
typedef void (*spdk_warm_table_fn[2])(void);

/** Options of a warm-up object. */
struct spdk_warm_opts {
	uint32_t	size;
	const char	*name;
	unsigned int	flags : 4, mode : 2;
	spdk_warm_done_fn done;
	void (*free_fn)(void *buf, uint64_t len);
	int (*handlers[4])(void *ctx);
	struct {
		int a;
		union {
			long b;
			void *c;
		};
	} nested;
	struct spdk_warm_inner {
		spdk_warm_poller_fn poll;
		struct spdk_warm_deep {
			spdk_warm_msg_fn *msg;
		} deep;
	} inner;
	union {
		uint64_t raw;
		struct {
			uint32_t lo;
			uint32_t hi;
		} parts;
	};
#ifdef SPDK_WARM_EXTRA
	int extra; /* only in some builds */
#endif
	TAILQ_ENTRY(spdk_warm_opts) link;
	char path[64];
	const struct spdk_warm_opts *const *chain;
	uint8_t reserved[3] __attribute__((aligned(8)));
} __attribute__((packed));

typedef struct {
	int			depth;
	spdk_warm_msg_fn	*msg;
} spdk_warm_ring_t;

typedef struct spdk_warm_named {
	int value;
} spdk_warm_named_t;

struct spdk_warm_fn_table {
	int (*destruct)(void *ctx);
	void (*submit)(struct spdk_warm_channel *ch, void *io);
	bool (*supported)(void *ctx, int type);
	struct spdk_warm_channel *(*get_channel)(void *ctx);
	spdk_warm_done_fn handlers[2];
};

struct spdk_warm_module {
	const char *name;
	int (*module_init)(void);
	void (*module_fini)(void);
	int (*get_ctx_size)(void);
	const struct spdk_warm_fn_table *fn_table;
};

enum spdk_warm_state {
	SPDK_WARM_IDLE = 0,
	SPDK_WARM_BUSY = 1 << 1,
};

extern struct spdk_warm_opts g_spdk_warm_defaults;
extern const char *g_spdk_warm_names[];

/**
 * Registers a poller.
 *
 * \param fn Poller to run.
 * \param arg Its argument.
 * \param period_us How often, in microseconds.
 * \param name Its name.
 *
 * \return the poller.
 */
struct spdk_warm_poller *spdk_warm_poller_register_named(spdk_warm_poller_fn fn, void *arg, uint64_t period_us,
		const char *name);

/** Sends a message to a thread. */
void spdk_warm_send_msg(struct spdk_warm_thread *thread, spdk_warm_msg_fn fn, void *ctx);
int spdk_warm_register(const char *method, void (*handler)(void *request, const void *params), uint32_t state_mask);
void spdk_warm_io_device_register(void *io_device, int (*create_cb)(void *io_device, void *ctx_buf),
				  void (*destroy_cb)(void *io_device, void *ctx_buf), uint32_t ctx_size, const char *name);
void *spdk_warm_channel_get_ctx(struct spdk_warm_channel *ch);
struct spdk_warm_thread *spdk_warm_get_thread(void);
void spdk_warm_complete(void *io, int status);
void spdk_warm_free(void *io);
int spdk_warm_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void spdk_warm_unnamed(int, void *, struct spdk_warm_opts *, void (*)(void *));
void (*spdk_warm_get_handler(int which))(void *ctx);
int spdk_warm_array_param(int rows[4], char names[][16], const struct spdk_warm_opts *const opts);
const struct spdk_warm_opts *spdk_warm_opts_ptr(void) SPDK_WARM_DEPRECATED(old);
void spdk_warm_for_each(spdk_warm_msg_fn fn, void *ctx, spdk_warm_done_fn done);
static inline int
spdk_warm_min(int a, int b)
{
	return a < b ? a : b;
}

#define SPDK_WARM_POLLER_REGISTER(fn, arg, period_us) \
	spdk_warm_poller_register_named(fn, arg, period_us, #fn)
#define SPDK_WARM_RPC_REGISTER(method, func, state_mask) \
static void __attribute__((constructor(1000))) spdk_warm_rpc_register_##func(void) \
{ \
	spdk_warm_register(method, func, state_mask); \
}
#define SPDK_WARM_SEND(thread, fn, ...) spdk_warm_send_msg(thread, fn, __VA_ARGS__)
#define SPDK_WARM_NESTED(fn, ctx) SPDK_WARM_SEND(spdk_warm_get_thread(), fn, ctx)
#define SPDK_WARM_CALL_PARAM(cb, arg) cb(arg)
#define SPDK_WARM_PASTE(kind, sz, fn) warm_ ## kind ## _ ## sz(fn, "x(" "y")
#define SPDK_WARM_TRACE_REGISTER(fn) \
	static void spdk_warm_trace_##fn(void) { \
		static struct spdk_warm_fn_table reg = { .destruct = fn, .submit = (void *)0 }; \
		spdk_warm_printf("%s", "fn(" #fn ")"); \
	}
#define SPDK_WARM_LOOP_FOREACH(x, head) for ((x) = (head); (x); (x) = NULL)
#define SPDK_WARM_RECURSE(a) SPDK_WARM_RECURSE(a)
#define SPDK_WARM_MODULE_REGISTER(name, module) \
	static void __attribute__((constructor)) spdk_warm_module_register_##name(void) { spdk_warm_add_module(module); }
#define SPDK_WARM_LOG_REGISTER_COMPONENT(name) static int g_warm_log_##name = 0;
#define SPDK_WARM_CONTAINEROF(ptr, type, member) ((type *)((uintptr_t)ptr - offsetof(type, member)))
#define SPDK_WARM_STR(x) #x
#define SPDK_WARM_DEPRECATED(tag) __attribute__((deprecated(#tag)))
#define SPDK_WARM_IGNORE(...)

#ifdef __cplusplus
}
#endif

#endif /* SPDK_WARM_UP_H */
`,
  },
  {
    file: 'lib/warm_up/warm_up_internal.h',
    text: String.raw`/* Written for SPDK Lens: a private header beside its .c files. */
#ifndef WARM_UP_INTERNAL_H
#define WARM_UP_INTERNAL_H

struct warm_channel;

extern struct warm_channel g_warm_remote;

struct warm_channel *warm_make_channel(void *io_device);
int warm_public(int a, char *b, struct warm_channel *ch, void (*cb)(void *ctx), ...);
static void warm_static_in_header(void);

static inline void
warm_inline_in_header(struct warm_channel *ch)
{
	warm_static_helper(ch);
	warm_make_channel(ch);
}

#endif
`,
  },
  {
    file: 'lib/warm_up/warm_up.c',
    text: String.raw`/*   SPDX-License-Identifier: BSD-3-Clause
 *   Written for SPDK Lens: function bodies with every kind of call, store, local and initializer.
 */

#include "spdk/warm_up.h"
#include "spdk/queue.h"
#include "warm_up_internal.h"

#define WARM_LOCAL_CALL(x) warm_local_helper(x)
#define WARM_TASK_FOREACH(t, ch) \
	TAILQ_FOREACH(t, &(ch)->tasks, link)

struct warm_task;

struct warm_channel {
	struct spdk_warm_poller	*poller;
	struct spdk_warm_thread	*thread;
	spdk_warm_done_fn	done;
	struct warm_channel	*next;
	struct warm_channel	*peers[2];
	struct spdk_warm_opts	opts;
	TAILQ_HEAD(, warm_task)	tasks;
	TAILQ_HEAD(warm_more, warm_task) more;
	STAILQ_HEAD(, warm_task) queued;
	LIST_HEAD(warm_list, warm_task) listed;
};

struct warm_task {
	TAILQ_ENTRY(warm_task)	link;
	void			(*cb)(void *arg);
	struct warm_channel	*ch;
	int			status;
	char			tag[8];
};

struct warm_pair {
	int a;
	int b;
} g_warm_pair = { 1, 2 };

struct warm_holder {
	struct warm_pair	pair;
	spdk_warm_done_fn	cbs[2];
	struct warm_task	tasks[2];
	void			(*release)(void *, int);
	int			:4;
	unsigned int		bits : (8 - 4);
};

static struct warm_holder g_warm_holder = { { 1, 2 }, { warm_done, NULL }, { { .cb = warm_local_helper } } };
static struct warm_holder g_warm_holder2 = {
	.tasks = { { .cb = warm_local_helper }, [1] = { .cb = NULL } },
	.cbs = { [0] = warm_done },
	.pair = { .zz = warm_done },
	.nothere = { .x = warm_done },
	.release = warm_done,
};
static struct warm_unknown g_warm_unknown = { .a = { .b = warm_done } };
static char g_warm_chars['z' - 'a'] = { 0 };
static int g_warm_assign = (g_warm_count = 2);
static int (*g_warm_paren_ptr);
void (*g_warm_paren_cb);
int;
typedef int;
#define WARM_HEAD_SIZE 4
#define WARM_DECLARE_HEAD(name) TAILQ_HEAD(name, warm_task)
#define WARM_CH_FOR_EACH(ch) for ((ch) = g_warm_first; (ch); (ch) = (ch)->next)
static int g_warm_heads[WARM_HEAD_SIZE];
static int g_warm_div = 10 / 2;
static const char *g_warm_states[] __attribute__((unused)) = {
	[SPDK_WARM_IDLE] = "idle",
	[SPDK_WARM_BUSY] = "busy",
};
static struct spdk_warm_fn_table g_warm_commented = {
	.destruct = warm_destruct, // the destructor
	.submit = (spdk_warm_submit_fn)warm_submit,
	.supported = (bool (*)(void *, int))warm_supported,
	.get_channel = (struct spdk_warm_channel * (*)(void *))warm_get_channel,
};
static struct spdk_warm_opts g_warm_cast_values = {
	.size = sizeof(struct spdk_warm_opts),
	.name = (const char *)"cast",
	.flags = (unsigned long)1,
	.mode = (int)2,
	.done = (spdk_warm_done_fn)warm_done,
	.free_fn = (warm_free_t)warm_free_buffer,
	.handlers = { (warm_handler)warm_poll, (warm_a + warm_b), *warm_poll },
	.chain = (x)(y),
};

static TAILQ_HEAD(, warm_channel) g_warm_channels = TAILQ_HEAD_INITIALIZER(g_warm_channels);
static struct warm_channel *g_warm_first = NULL, g_warm_second;
static struct warm_channel g_warm_tentative;
static struct warm_channel g_warm_tentative = { .poller = NULL };
static int g_warm_count = 3, *g_warm_ptr = &g_warm_count;
static const char *g_warm_label = "warm" " " "up" PRIu64 "\"quoted\"";
static char g_warm_letter = '\'';
static int __attribute__((unused)) g_warm_unused;
static int g_warm_section __attribute__((section("warm_data"))) = 1;
static SPDK_WARM_ATOMIC(int) g_warm_atomic;
struct warm_channel g_warm_shared;
extern struct warm_channel g_warm_elsewhere;
static void (*g_warm_fn_ptr)(void *ctx) = warm_local_helper;
static struct { int x; } g_warm_anon;
static enum warm_color { WARM_RED, WARM_BLUE } g_warm_color = WARM_BLUE;
warm_implicit;

static void warm_local_helper(void *ctx);
static int warm_poll(void *ctx);
static void warm_done(void *cb_arg, int rc);

/** Completes a task: its callback runs, then the IO completes. */
static void
warm_complete_task(struct warm_task *task, int status)
{
	task->status = status;	// a line comment with a ; and a {
	task->cb(task);
	task->ch->done(task, status);
	(*task->cb)(task);
	spdk_warm_complete(task, status == 0 ? 0 : -1);
	spdk_warm_free(task);
}

static void
warm_local_helper(void *ctx)
{
	struct warm_task *task = ctx;
	const char *text = "a ; b { c } \" d ( e";
	char quote = '"', other = '\\';
	char json[] = "{\"a\": [1, 2], \"b\": {";

	if (task == NULL || *text == '\0') {
		return;
	}
	warm_complete_task(task, text[0] != quote ? 0 : other);
}

static int
warm_poll(void *ctx)
{
	struct warm_channel *ch = ctx;
	struct warm_task *task, *tmp;
	int count = 0;

	TAILQ_FOREACH_SAFE(task, &ch->tasks, link, tmp) {
		TAILQ_REMOVE(&ch->tasks, task, link);
		warm_complete_task(task, 0);
		count++;
	}
	WARM_TASK_FOREACH(task, ch) {
		count += 2;
	}
	SPDK_WARM_LOOP_FOREACH(task, TAILQ_FIRST(&ch->tasks)) {
		count--;
	}
	STAILQ_FOREACH(task, &ch->queued, link) count++;
	WARM_CH_FOR_EACH(ch) {
		count++;
	}
	SPDK_WARM_FOR_EACH_CHANNEL(ch, warm_done) {
		count++;
	}
	return count > 0 ? 1 : 0;
}

static void
warm_done(void *cb_arg, int rc)
{
	struct warm_channel *ch = cb_arg;

	ch->done = rc == 0 ? warm_done : NULL;
	spdk_warm_printf("done %d\n", rc);
	spdk_warm_printf("count %" PRIu64 " of %" PRIu64 "\n", 1, 2);
}

static int
warm_create_channel(void *io_device, void *ctx_buf)
{
	struct warm_channel *ch = ctx_buf;
	struct warm_channel **pp = &ch;
	struct spdk_warm_opts opts = { .size = sizeof(opts), .done = warm_done, .free_fn = NULL };
	struct spdk_warm_opts defaults = {};
	struct warm_task tasks[2] = { { .cb = warm_local_helper }, { .cb = (void (*)(void *))warm_poll } };
	struct spdk_warm_fn_table positional = { NULL, warm_submit };
	unsigned int i = 0, j;
	long unsigned int wide;
	const spdk_warm_msg_fn msg = warm_local_helper;
	void (*cb)(void *) = warm_local_helper;
	struct warm_channel *made = warm_make_channel(io_device), *other;
	struct warm_channel *const fixed = ch;
	struct spdk_warm_thread *thread;
	static int calls;
	spdk_warm_done_fn done_cb;

	thread = spdk_warm_get_thread();
	ch->thread = thread;
	ch->thread = spdk_warm_get_thread();
	ch->poller = SPDK_WARM_POLLER_REGISTER(warm_poll, ch, 0);
	ch->done = warm_done;
	ch->opts.done	= warm_done;
	ch->opts.inner.poll = warm_poll;
	ch->opts.inner.deep.msg = warm_local_helper;
	ch->peers[0]->done = warm_done;
	ch->peers[i + 1]->next = made;
	(*pp)->done = warm_done;
	(*pp)->opts.free_fn = warm_free_buffer;
	tasks[0].cb = warm_local_helper;
	tasks[j]
	.cb = warm_local_helper;
	ch
	->
	done = warm_done;
	g_warm_shared.done = warm_done;
	ch->next = g_warm_first;
	ch->thread = (void *)warm_done;
	g_warm_elsewhere.done = warm_done;
	g_warm_first->done = warm_done;
	g_warm_remote.handlers[1] = warm_done;
	unknown_base->get_channel = warm_get_channel;
	unknown_base->not_a_field_anywhere = warm_done;
	defaults.done = cb;
	done_cb = warm_done;
	other = warm_make_channel(NULL);
	made = other;
	i = j = 4;
	i += 2;
	i -= 1;
	i *= 3;
	i /= 2;
	i %= 5;
	i &= 7;
	i |= 1;
	i ^= 2;
	i <<= 1;
	i >>= 1;
	if (i == j || i != j || i <= j || i >= j) {
		calls++;
	}
	wide = (long unsigned int)i;
	warm_use(opts, positional, msg, wide, calls, done_cb);
	spdk_warm_send_msg(thread, warm_local_helper, ch);
	spdk_warm_send_msg(thread, (spdk_warm_msg_fn)warm_local_helper, ch);
	spdk_warm_send_msg(thread, &warm_local_helper, ch);
	spdk_warm_send_msg(thread, *warm_local_helper, &ch);
	spdk_warm_send_msg(thread, (warm_local_helper), (void *)ch);
	spdk_warm_send_msg(spdk_warm_get_thread(), msg, ch);
	spdk_warm_send_msg(thread, cb, ch);
	spdk_warm_send_msg(thread /* owner */, warm_local_helper , ch );
	SPDK_WARM_SEND(thread, warm_local_helper, ch);
	SPDK_WARM_NESTED(warm_local_helper, ch);
	SPDK_WARM_CALL_PARAM(warm_local_helper, ch);
	SPDK_WARM_PASTE(reg, 4, warm_done);
	SPDK_WARM_PASTE(reg, ch->opts.size, warm_done);
	SPDK_WARM_RECURSE(warm_done);
	SPDK_WARM_IGNORE(warm_done);
	WARM_LOCAL_CALL(ch);
	warm_with_struct((struct spdk_warm_opts){ .done = warm_done, .free_fn = warm_free_buffer });
	warm_with_array((struct warm_task[]){ { .cb = warm_local_helper }, { .cb = NULL } });
	warm_with_sizes(sizeof(struct warm_channel), sizeof(ch), sizeof ch, -1, 0x10, 1.5, "s" "t", 'c');
	warm_with_exprs(i + 1, i ? warm_done : NULL, ch->done, ch->peers[0], &ch->opts, !i, ~i, i++, --j);
	warm_with_calls(warm_make_channel(NULL), spdk_warm_min(1, 2), (int)warm_poll(ch), warm_with_string("x(", ")"));
	warm_with_assignment(i = 3, j = warm_poll(ch));
	warm_with_long_expression(ch->opts.size + ch->opts.size * ch->opts.size - ch->opts.size / 2 + 12345678);
	warm_with_casts((uint64_t)i, (void *)0, (struct warm_channel *)ctx_buf, (int)-1, (unsigned int)i, (spdk_warm_status_t)i);
	warm_with_casts((uint64_t)i | 1, (size_t)i ? 1 : 0, (x) - 1, (a, b), (void)0, (ch)->done);
	spdk_warm_io_device_register(ch, warm_create_channel, warm_destroy_channel, sizeof(struct warm_channel), "warm");
	spdk_warm_for_each(warm_local_helper, ch, warm_done);
	warm_set_handler(cb);
	warm_set_handler(ch);
	return 0;
}

static void
warm_destroy_channel(void *io_device, void *ctx_buf)
{
	struct warm_channel *ch = ctx_buf;

	/* A block comment with "quotes", 'c' and braces { } ; inside */
#ifdef SPDK_WARM_DEBUG
	spdk_warm_printf("destroy %p\n", ch);
#endif
#if defined(SPDK_WARM_A) && \
	defined(SPDK_WARM_B)
	warm_debug(ch);
#endif
	do {
		ch = ch->next;
	} while (ch != NULL);
	switch (ch->opts.size) {
	case 0:
		warm_case(ch);
		break;
	default:
		goto out;
	}
	for (int k = 0; k < 2; k++) {
		ch->peers[k] = NULL;
	}
	while (ch->next) ch = ch->next;
out:
	return;
}

int
warm_public(int a, char *b, struct warm_channel *ch, void (*cb)(void *ctx), ...)
{
	char buf[16] = "x", *p = buf;
	int rows[2][3] = { { 1, 2, 3 }, { 4, 5, 6 } };
	struct warm_pair pair = { .a = a, .b = rows[0][1] };
	struct spdk_warm_opts many[2] = {
		[0] = { .done = warm_done },
		[1] = { .inner = { .poll = warm_poll }, .inner.deep.msg = warm_local_helper, .handlers = { warm_poll, NULL } },
	};
	struct spdk_warm_fn_table table = {
		.destruct = NULL,
		.handlers = { warm_done, warm_done },
	};

	cb(ch);
	ch->done = NULL;
	*p = b[0];
	return pair.a + many[0].size + table.destruct(NULL);
}

struct warm_channel *
warm_make_channel(void *io_device)
{
	struct warm_channel *ch = calloc(1, sizeof(*ch));

	if (!ch) {
		return NULL;
	}
	TAILQ_INIT(&ch->tasks);
	TAILQ_INSERT_TAIL(&g_warm_channels, ch, next);
	return ch;
}

static int
warm_trace_fn(void *ctx)
{
	return 0;
}

static void
warm_static_in_lib(void (*cb)(void *ctx))
{
	cb(NULL);
}

static int
warm_attribute_last(int x) __attribute__((noinline))
{
	int y = x, *py = &y;
	struct warm_channel *ch = warm_make_channel(NULL);
	struct spdk_warm_opts opts = { .done = warm_done };
	struct warm_channel *typed;

	typed = warm_make_channel(&y);
	y = warm_poll(py);
	ch->done = warm_done;
	ch->opts.free_fn = (void *)warm_done;
	g_warm_shared.next = typed;
	warm_call_in_unseparated(ch, (struct spdk_warm_opts){ .done = warm_done });
	warm_static_in_lib(warm_local_helper);
	*py = 4;
	g_warm_heads[0] = y;
	ch->opts.size = 4;
	g_warm_unknown_global->done = warm_done;
	(ch + 1)->done = warm_done;
	ch->done = (spdk_warm_done_fn)warm_done;
	return y + opts.size;
}

static inline void
__attribute__((always_inline)) warm_inline_attr(void)
{
	warm_poll(NULL);
}

void (*warm_get_handler(int which))(void *ctx)
{
	return which ? warm_local_helper : NULL;
}

static struct spdk_warm_fn_table g_warm_table = {
	.destruct		= warm_destruct,
	.submit			= warm_submit,
	.supported		= warm_supported,
	.get_channel		= warm_get_channel,
	.handlers		= { warm_done, NULL },
};

static const struct spdk_warm_fn_table g_warm_positional = { warm_destruct, warm_submit, NULL, warm_get_channel };

static struct spdk_warm_module g_warm_module = {
	.name = "warm",
	.module_init = warm_init,
	.module_fini = warm_fini,
	.fn_table = &g_warm_table,
};

static struct spdk_warm_fn_table g_warm_tables[] = {
	{ .destruct = warm_destruct, .submit = warm_submit },
	{ warm_destruct, NULL },
	[SPDK_WARM_BUSY] = { .get_channel = warm_get_channel },
};

static struct spdk_warm_opts *g_warm_literal = &(struct spdk_warm_opts) {
	.done = warm_done,
	.inner.poll = warm_poll,
};

static struct spdk_warm_opts g_warm_deep = {
	.inner = {
		.deep = { .msg = warm_local_helper },
	},
	.nested = { .a = 1 },
	.handlers = { warm_poll, warm_poll },
	.name = "deep",
};

static int g_warm_size = sizeof(int) + g_warm_table.destruct(NULL) + warm_count(g_warm_first);

SPDK_WARM_RPC_REGISTER("warm_up_start", rpc_warm_up_start, SPDK_RPC_RUNTIME)
SPDK_WARM_MODULE_REGISTER(warm, &g_warm_module)
SPDK_WARM_LOG_REGISTER_COMPONENT(warm_up)
SPDK_WARM_TRACE_REGISTER(warm_trace_fn)
SPDK_WARM_TRACE_REGISTER(warm_get_handler(1))
SPDK_WARM_TRACE_REGISTER(g_warm_count)
SPDK_WARM_RPC_REGISTER("warm_up_stop", /* an inline comment */ rpc_warm_up_stop, SPDK_RPC_RUNTIME) // trailing
SPDK_WARM_RPC_REGISTER("warm_up_(odd)", rpc_warm_up_odd, SPDK_RPC_STARTUP | SPDK_RPC_RUNTIME) /* trailing */
SPDK_WARM_IGNORE(x);
SPDK_WARM_IGNORE(y) static int g_warm_same_line;
FILE *g_warm_file;
SPDK_WARM_LOG_REGISTER_COMPONENT(warm_up_last)
`,
  },
  {
    file: 'lib/warm_up/warm_up_rpc.c',
    text: String.raw`/*   SPDX-License-Identifier: BSD-3-Clause
 *   Written for SPDK Lens: RPC handlers, one replying at once and one from a callback.
 */
#include "spdk/warm_up.h"
#include "warm_up_internal.h"

struct rpc_warm_up_start {
	char *name;
	uint32_t size;
};

static const struct spdk_warm_decoder rpc_warm_up_start_decoders[] = {
	{"name", offsetof(struct rpc_warm_up_start, name), spdk_warm_decode_string},
	{"size", offsetof(struct rpc_warm_up_start, size), spdk_warm_decode_uint32, true},
};

static void
warm_static_helper(struct warm_channel *ch)
{
	warm_public(0, NULL, ch, NULL);
}

static void
rpc_warm_up_start_done(void *cb_arg, int rc)
{
	struct spdk_warm_request *request = cb_arg;

	if (rc != 0) {
		spdk_warm_send_error_response(request, rc, "failed");
		return;
	}
	spdk_warm_send_bool_response(request, true);
}

static void
rpc_warm_up_start(struct spdk_warm_request *request, const struct spdk_warm_val *params)
{
	struct rpc_warm_up_start req = {};
	struct warm_channel *ch;

	if (spdk_warm_decode_object(params, rpc_warm_up_start_decoders, SPDK_COUNTOF(rpc_warm_up_start_decoders), &req)) {
		spdk_warm_send_error_response(request, -EINVAL, "invalid parameters");
		return;
	}
	ch = warm_make_channel(NULL);
	spdk_warm_for_each(warm_static_helper, ch, rpc_warm_up_start_done);
	g_warm_remote.done = rpc_warm_up_start_done;
}
SPDK_WARM_RPC_REGISTER("warm_up_start", rpc_warm_up_start, SPDK_RPC_RUNTIME)

static void
rpc_warm_up_stop(struct spdk_warm_request *request, const struct spdk_warm_val *params)
{
	struct spdk_warm_write_ctx *w = spdk_warm_begin_result(request);

	spdk_warm_write_string(w, "stopped");
	spdk_warm_end_result(request, w);
}
SPDK_WARM_RPC_REGISTER("warm_up_stop", rpc_warm_up_stop, SPDK_RPC_RUNTIME)
`,
  },
  {
    file: 'lib/warm_up/warm_up_broken.c',
    text: String.raw`SPDK_WARM_LOG_REGISTER_COMPONENT(warm_broken)
/* Written for SPDK Lens: broken C the index must read around. */
#include "spdk/warm_up.h"

static int int g_warm_twice_typed;
@@ not C @@;

struct warm_bad_fields {
	void (*cb)(int;
	void (*)(void *);
	int;
};

typedef void (*)(int);
static struct warm_open { int a; g_warm_open;

static void
warm_branches(int x)
{
#ifdef WARM_A
	if (x) {
#else
	if (!x) {
#endif
		warm_poll(NULL);
	}
	warm_poll((NULL);
}

static void
warm_unbalanced(void)
{
	spdk_warm_printf("%s", "}");
	if (1) {
		warm_poll(NULL);

static void
warm_after_unbalanced(void)
{
	warm_poll(NULL);
}

static const char *g_warm_unterminated = "no end
;
`,
  },
  {
    file: 'lib/warm_up/warm_up_truncated.c',
    text: String.raw`static void
warm_truncated(void)
{
	if (x) {
		warm_poll(NULL);
`,
  },
  {
    file: 'lib/warm_up/warm_up_plain.c',
    text: String.raw`#include "spdk/warm_up.h"
// line comment first
SPDK_WARM_RPC_REGISTER("warm_broken", rpc_warm_broken { bad }, 0)
SPDK_WARM_RPC_REGISTER("warm_broken1", (rpc_warm_broken1, 0)
static int g_warm_plain;
SPDK_WARM_RPC_REGISTER("warm_broken2", rpc_warm_broken2 /* never closed
static int warm_no_newline_at_end(void) { return 0; }`,
  },
  {
    file: 'lib/warm_up/warm_up_utf16.c',
    text: String.raw`/*   SPDX-License-Identifier: BSD-3-Clause
 *   Written for SPDK Lens: a file with text outside Latin-1 (“quotes”, →) and in it (café, ±): the normalizer's stand-ins run.
 */
#include "spdk/warm_up.h"

/** Logs a line — with a dash outside ASCII. */
static void
warm_wide_log(struct warm_channel *ch, const char *why)
{
	struct spdk_warm_opts opts = { .done = warm_wide_done, .name = "naïve" };

	spdk_warm_printf("wide: %s → %p\n", why, ch);
	ch->done = warm_wide_done;
	spdk_warm_send_msg(spdk_warm_get_thread(), warm_wide_msg, ch);
	warm_wide_store(ch, (struct spdk_warm_opts){ .done = warm_wide_done });
}

static void
warm_wide_done(void *cb_arg, int rc)
{
	warm_wide_log(cb_arg, rc ? "échec" : "ok");
}

static void
warm_wide_msg(void *ctx)
{
	warm_wide_done(ctx, 0);
}

static struct spdk_warm_fn_table g_warm_wide_table = {
	.destruct = warm_wide_destruct, /* µs */
	.handlers = { warm_wide_done, NULL },
};

#define WARM_WIDE_SEND(fn, ctx) spdk_warm_send_msg(NULL, fn, ctx) /* ≠ */
SPDK_WARM_LOG_REGISTER_COMPONENT(warm_wide)
`,
  },
  {
    file: 'module/warm_up/warm_up_mod.h',
    text: String.raw`/* Written for SPDK Lens: a static function defined in a header, used from its folder. */
static void
warm_header_static(void *ctx)
{
	warm_mod_msg(ctx);
}
void warm_twice(void *ctx);
#define WARM_MOD_SEND(fn, ctx) spdk_warm_send_msg(spdk_warm_get_thread(), fn, ctx)
`,
  },
  {
    file: 'module/warm_up/warm_up_mod.c',
    text: String.raw`/*   SPDX-License-Identifier: BSD-3-Clause
 *   Written for SPDK Lens: a module that reaches globals and functions of other files.
 */
#include "spdk/warm_up.h"

struct warm_mod_ctx {
	spdk_warm_done_fn	cb;
	struct warm_channel	*ch;
};

struct warm_channel g_warm_remote;

struct warm_channel {
	spdk_warm_done_fn done;
};

#define WARM_MOD_SEND(fn, ctx) spdk_warm_send_msg(NULL, fn, ctx)

static void
warm_static_helper(struct warm_mod_ctx *ctx)
{
	ctx->cb = warm_mod_done;
}

static void
warm_mod_done(void *cb_arg, int rc)
{
	struct warm_mod_ctx *ctx = cb_arg;

	warm_static_helper(ctx);
	warm_public(rc, NULL, ctx->ch, warm_static_helper);
	g_warm_shared.done = warm_mod_done;
	g_warm_remote.done = warm_mod_done;
	g_warm_pair.a = rc;
	spdk_warm_send_msg(spdk_warm_get_thread(), warm_mod_msg, ctx);
	spdk_warm_send_msg(NULL, warm_local_helper, ctx);
	spdk_warm_send_msg(NULL, warm_make_channel, ctx);
	spdk_warm_send_msg(NULL, warm_in_test, ctx);
	spdk_warm_send_msg(NULL, warm_twice, ctx);
	spdk_warm_send_msg(NULL, warm_header_static, ctx);
	spdk_warm_poller_register_named(warm_mod_poll, ctx, 0, "warm_mod_poll");
	warm_static_in_lib(warm_mod_msg);
	warm_undeclared_api(warm_mod_msg, ctx);
	WARM_MOD_SEND(warm_mod_msg, ctx);
}

static void
warm_mod_msg(void *ctx)
{
	spdk_warm_complete(ctx, 0);
}

static int
warm_mod_poll(void *ctx)
{
	return warm_mod_msg(ctx), 0;
}

void
warm_twice(void *ctx)
{
}
`,
  },
  {
    file: 'module/warm_up/warm_up_mod2.c',
    text: String.raw`/* Written for SPDK Lens: a second file of the module, using its folder's macro. */
#include "warm_up_mod.h"

static void
warm_mod2_start(void *ctx)
{
	WARM_MOD_SEND(warm_twice, ctx);
}

/* Old-style empty parameter lists. */
int warm_mod2_count();
static int warm_mod2_level();

static int
warm_mod2_level()
{
	return warm_mod2_count();
}

/* Compound literals at file scope. */
static struct spdk_warm_opts *g_warm_mod2_opts = &(struct spdk_warm_opts){ .done = warm_twice };
static struct spdk_warm_opts *g_warm_mod2_more = &(struct spdk_warm_opts){ .done = warm_mod2_start, .size = 2 };

/* Each #if branch opens a brace: the body ends at the next column-zero brace. */
static int
warm_mod2_pick(int x)
{
#ifdef WARM_MOD2_A
	if (x > 1) {
#else
	if (x > 2) {
#endif
		return warm_mod2_level();
	}
	return 0;
}

static void
warm_mod2_stop(void *ctx)
{
#ifdef WARM_MOD2_B
	while (ctx != NULL) {
#else
	if (ctx != NULL) {
#endif
		WARM_MOD_SEND(warm_twice, ctx);
	}
}
`,
  },
  {
    file: 'test/unit/warm_up_ut.c',
    text: String.raw`/* Written for SPDK Lens: a unit-test stub that shares names with the code it tests. */
#include "spdk/warm_up.h"

struct warm_channel *
warm_make_channel(void *io_device)
{
	return NULL;
}

void
warm_in_test(void *ctx)
{
}

void
warm_twice(void *ctx)
{
}

void
spdk_warm_send_msg(struct spdk_warm_thread *thread, spdk_warm_msg_fn fn, void *ctx)
{
	fn(ctx);
}
`,
  },
];
