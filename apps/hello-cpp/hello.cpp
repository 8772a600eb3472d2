/*
 * hello-cpp: C++ on Pith with libstdc++ and newlib. A global object whose
 * constructor runs before main and whose destructor runs at exit, the
 * containers (vector, string, map), unique_ptr, a class hierarchy with
 * dynamic_cast (RTTI), and exceptions thrown three frames down and
 * caught, also in tasks on every core at once. One "ok"/"FAIL" line per check; the exit code is the number of
 * failures. `hello-cpp throw` ends with an exception nobody catches:
 * std::terminate reports it and aborts (exit code 134, 128 + SIGABRT).
 * Built with `make build/programs/hello-cpp.app`.
 */
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

/* include/pith/ is C: its functions have C linkage. */
extern "C" {
#include <pith/smp.h>
}

static int failures;

static void check(bool ok, const std::string &what)
{
	std::cout << (ok ? "ok   " : "FAIL ") << what << '\n';
	failures += !ok;
}

/* Constructed before main (.init_array), destroyed after it (atexit). */
struct Greeter {
	std::string who;
	explicit Greeter(const char *w) : who(w) { std::printf("global constructor: %s\n", who.c_str()); }
	~Greeter() { std::printf("global destructor: %s\n", who.c_str()); }
};
static Greeter greeter("hello-cpp");

struct Shape {
	virtual ~Shape() = default;
	virtual double area() const = 0;
};
struct Square : Shape {
	double side;
	explicit Square(double s) : side(s) {}
	double area() const override { return side * side; }
};
struct Circle : Shape {
	double r;
	explicit Circle(double radius) : r(radius) {}
	double area() const override { return 3.14159265358979 * r * r; }
};

struct depth_error : std::runtime_error {
	int depth;
	depth_error(const std::string &m, int d) : std::runtime_error(m), depth(d) {}
};

/* Throws from the bottom of three frames, each holding a live object
 * whose destructor the unwinding must run. */
static int unwound;
struct Guard {
	~Guard() { unwound++; }
};
static int dive(int depth)
{
	Guard g;
	if (depth == 3)
		throw depth_error("thrown at depth 3", depth);
	return dive(depth + 1) + 1;
}

/* A task: throws and catches across frames, with strings on the heap. */
static int task_caught;
static void throw_in_task(void *arg)
{
	long i = (long)arg;
	try {
		std::string where = "task " + std::to_string(i);
		if (where.size())
			throw depth_error(where, (int)i);
	} catch (const depth_error &e) {
		if (e.depth == i && e.what() == "task " + std::to_string(i))
			__atomic_fetch_add(&task_caught, 1, __ATOMIC_RELAXED);
	}
}

int main(int argc, char **argv)
{
	if (argc > 1 && std::string(argv[1]) == "throw")
		throw std::runtime_error("nobody catches this one");
	std::cout << "hello from C++ (libstdc++ " << __GNUC__ << '.' << __GNUC_MINOR__
		  << ", newlib)" << std::endl;
	check(greeter.who == "hello-cpp", "global constructor ran before main");

	std::vector<int> v;
	for (int i = 1; i <= 10; i++)
		v.push_back(i * i);
	int sum = 0;
	for (int x : v)
		sum += x;
	check(v.size() == 10 && sum == 385, "vector: sum of 1..10 squared is 385");

	std::string s = "pith";
	s += " runs ";
	s += std::to_string(42);
	check(s == "pith runs 42", "string: \"" + s + "\"");

	std::map<std::string, int> words;
	for (const char *w : { "b", "a", "c", "a" })
		words[w]++;
	check(words.size() == 3 && words.begin()->first == "a" && words["a"] == 2,
	      "map: sorted keys, counts");

	std::vector<std::unique_ptr<Shape>> shapes;
	shapes.push_back(std::make_unique<Square>(2.0));
	shapes.push_back(std::make_unique<Circle>(1.0));
	int squares = 0;
	for (auto &sh : shapes)
		squares += dynamic_cast<Square *>(sh.get()) != nullptr;
	check(squares == 1 && dynamic_cast<Circle *>(shapes[1].get())->area() > 3.14,
	      "unique_ptr and dynamic_cast (RTTI)");
	check(typeid(*shapes[0]) == typeid(Square), std::string("typeid: ") + typeid(*shapes[0]).name());

	try {
		dive(0);
		check(false, "exception thrown");
	} catch (const depth_error &e) {
		check(e.depth == 3 && unwound == 4, std::string("exception caught: ") + e.what() +
			", 4 frames unwound");
	}
	try {
		std::vector<int> small(2);
		(void)small.at(5);
		check(false, "vector::at threw");
	} catch (const std::out_of_range &) {
		check(true, "std::out_of_range from vector::at");
	}

	long tasks = 8 * b_smp_numcores();
	for (long i = 0; i < tasks; i++)
		while (b_smp_enqueue(throw_in_task, (void *)i) == B_EAGAIN)
			b_smp_run();
	b_smp_wait();
	check(task_caught == tasks, "exceptions thrown and caught in " + std::to_string(tasks) +
	      " tasks on every core");

	std::cout << (failures ? "hello-cpp: FAILED" : "hello-cpp: all ok") << std::endl;
	return failures;
}
