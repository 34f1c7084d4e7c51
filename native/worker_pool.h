// One persistent helper thread, so a GEMM can use both cores of the machine without paying a thread start per call.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace posttrain {

class WorkerPool {
 public:
  using TaskFn = void (*)(void* context, int part);

  // The process-wide pool. Deliberately leaked, with its thread detached, so process exit never waits on it.
  static WorkerPool& Get();

  // Runs fn(context, 0) on the calling thread and fn(context, 1) on the helper, returning once both are done.
  // Returns false without running anything when another caller (e.g. a second worker_thread) holds the helper.
  bool TryRunPair(TaskFn fn, void* context);

 private:
  WorkerPool();
  void HelperLoop();

  std::mutex call_mutex_;  // one caller at a time owns the helper
  std::mutex wake_mutex_;
  std::condition_variable wake_;
  bool helper_sleeping_ = false;
  std::atomic<uint64_t> posted_{0};
  std::atomic<uint64_t> finished_{0};
  TaskFn fn_ = nullptr;
  void* context_ = nullptr;
};

}  // namespace posttrain
