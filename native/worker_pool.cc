#include "worker_pool.h"

#include <chrono>
#include <thread>

namespace posttrain {
namespace {

inline void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

// Matmuls arrive in bursts separated by short element-wise kernels: spinning this long before sleeping keeps the
// helper's wake-up off the critical path without burning a core between training steps.
constexpr auto kHelperSpin = std::chrono::microseconds(50);

}  // namespace

WorkerPool& WorkerPool::Get() {
  static WorkerPool* pool = new WorkerPool();
  return *pool;
}

WorkerPool::WorkerPool() { std::thread([this] { HelperLoop(); }).detach(); }

bool WorkerPool::TryRunPair(TaskFn fn, void* context) {
  std::unique_lock<std::mutex> busy(call_mutex_, std::try_to_lock);
  if (!busy.owns_lock()) return false;
  fn_ = fn;
  context_ = context;
  uint64_t ticket;
  bool sleeping;
  {
    std::lock_guard<std::mutex> lock(wake_mutex_);
    ticket = posted_.load(std::memory_order_relaxed) + 1;
    posted_.store(ticket, std::memory_order_release);
    sleeping = helper_sleeping_;
  }
  if (sleeping) wake_.notify_one();
  fn(context, 0);
  for (int spins = 0; finished_.load(std::memory_order_acquire) != ticket; ++spins) {
    if (spins < 4096) {
      CpuRelax();
    } else {
      std::this_thread::yield();  // the helper may have been descheduled: give it the core
    }
  }
  return true;
}

void WorkerPool::HelperLoop() {
  uint64_t done = 0;
  for (;;) {
    auto spin_until = std::chrono::steady_clock::now() + kHelperSpin;
    while (posted_.load(std::memory_order_acquire) == done && std::chrono::steady_clock::now() < spin_until) {
      for (int i = 0; i < 64; ++i) CpuRelax();
    }
    if (posted_.load(std::memory_order_acquire) == done) {
      std::unique_lock<std::mutex> lock(wake_mutex_);
      helper_sleeping_ = true;
      wake_.wait(lock, [&] { return posted_.load(std::memory_order_acquire) != done; });
      helper_sleeping_ = false;
    }
    done = posted_.load(std::memory_order_acquire);
    fn_(context_, 1);
    finished_.store(done, std::memory_order_release);
  }
}

}  // namespace posttrain
