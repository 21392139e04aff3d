namespace Serverless.Orchestrations.Backends;

/// <summary>
/// Optional capability of a backend that sees every write in this process (the in-memory one):
/// it tells subscribed workers the moment work becomes fetchable (a message or request was
/// enqueued, a delayed one became due, a lock was released), so their pollers need not wait
/// out their idle back-off. A backend shared between processes does not implement it; its
/// workers poll.
/// </summary>
public interface IWorkAvailableNotifier
{
    /// <summary>
    /// Calls <paramref name="listener"/> with the kinds of work that became fetchable, until the
    /// returned handle is disposed. Calls may be spurious (nothing left to fetch by the time the
    /// worker looks). The listener may run under the backend's lock: it must return at once
    /// and must not call back into the backend.
    /// </summary>
    IDisposable SubscribeWorkAvailable(Action<WorkItemKinds> listener);
}
