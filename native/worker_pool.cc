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

int WorkerPool::Claim(uint32_t ticket) {
  uint64_t state = claim_.load(std::memory_order_acquire);
  for (;;) {
    const uint32_t next = state & 0xFFFF;
    const uint32_t parts = (state >> 16) & 0xFFFF;
    if (static_cast<uint32_t>(state >> 32) != ticket || next >= parts) return -1;
    if (claim_.compare_exchange_weak(state, state + 1, std::memory_order_acq_rel)) return static_cast<int>(next);
  }
}

// fn_ and context_ stay valid while a claimed part is unfinished: the caller waits for every part.
void WorkerPool::RunClaimed(uint32_t ticket) {
  for (int part; (part = Claim(ticket)) >= 0;) {
    fn_(context_, part);
    done_.fetch_add(1, std::memory_order_acq_rel);
  }
}

void WorkerPool::Run(TaskFn fn, void* context, int parts) {
  std::unique_lock<std::mutex> busy(call_mutex_, std::try_to_lock);
  if (!busy.owns_lock()) {
    for (int part = 0; part < parts; ++part) fn(context, part);
    return;
  }
  fn_ = fn;
  context_ = context;
  done_.store(0, std::memory_order_relaxed);
  const uint32_t ticket = posted_.load(std::memory_order_relaxed) + 1;
  claim_.store((uint64_t{ticket} << 32) | (static_cast<uint64_t>(parts & 0xFFFF) << 16), std::memory_order_release);
  bool sleeping;
  {
    std::lock_guard<std::mutex> lock(wake_mutex_);
    posted_.store(ticket, std::memory_order_release);
    sleeping = helper_sleeping_;
  }
  if (sleeping) wake_.notify_one();
  RunClaimed(ticket);
  for (int spins = 0; done_.load(std::memory_order_acquire) != parts; ++spins) {
    if (spins < 4096) {
      CpuRelax();
    } else {
      std::this_thread::yield();  // the helper is inside a part but was descheduled: give it the core
    }
  }
}

void WorkerPool::HelperLoop() {
  uint32_t seen = 0;
  for (;;) {
    const auto spin_until = std::chrono::steady_clock::now() + kHelperSpin;
    while (posted_.load(std::memory_order_acquire) == seen && std::chrono::steady_clock::now() < spin_until) {
      for (int i = 0; i < 64; ++i) CpuRelax();
    }
    if (posted_.load(std::memory_order_acquire) == seen) {
      std::unique_lock<std::mutex> lock(wake_mutex_);
      helper_sleeping_ = true;
      wake_.wait(lock, [&] { return posted_.load(std::memory_order_acquire) != seen; });
      helper_sleeping_ = false;
    }
    seen = posted_.load(std::memory_order_acquire);
    RunClaimed(seen);
  }
}

}  // namespace posttrain
