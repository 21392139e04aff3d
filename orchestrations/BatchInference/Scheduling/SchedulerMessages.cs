namespace Serverless.BatchInference.Scheduling;

/// <summary>
/// A page orchestrator asking for unit slots (<see cref="JobScheduler.Acquire"/>). It says what it runs
/// now and how many more it could start, so each call also gives back the slots of finished units,
/// and a scheduler that lost its state learns it again from the next call of each page.
/// </summary>
/// <param name="JobId">The page's job.</param>
/// <param name="PageId">The page orchestration's instance id: the holder of the slots.</param>
/// <param name="Priority">The job's priority as submitted (an admin's change in the scheduler wins).</param>
/// <param name="Terms">The job's tenant, rules and the deployment's slots.</param>
/// <param name="Running">Units of this page started and not yet finished.</param>
/// <param name="Want">More units it could start now (0: it only gives slots back).</param>
/// <param name="Received">The slots other pages' calls handed to it that it has taken (<see cref="SlotHandover.Handed"/>, the last it heard of):
/// those handed after it are still on their way, and the call takes them instead.</param>
public sealed record SlotRequest(string JobId, string PageId, string Priority, SchedulingTerms Terms, int Running, int Want, long Received = 0);

/// <summary>
/// Slots a call gave to a page that was not calling (<see cref="UnitSlots.HandedEvent"/>): <paramref name="Handed"/> counts every slot
/// handed to the page so far, so the page takes the difference from what it has taken, and an event it hears after a call
/// already took those slots (or twice) gives nothing.
/// </summary>
public sealed record SlotHandover(string Page, long Handed);

/// <summary>The answer to a <see cref="SlotRequest"/>.</summary>
/// <param name="Granted">Units the page may start now (never more than it wanted).</param>
/// <param name="Waiting">Why it got fewer than it wanted (null when it got them all).</param>
/// <param name="Priority">The job's priority the scheduler applies now (an admin's change, aging).</param>
/// <param name="Notify">Pages given slots while they were not calling: the caller hands the slots over (an event), so they start units without a call of their own.</param>
/// <param name="Contended">Another job's page wants slots: the caller gives back every slot its units free (no <see cref="SchedulingRules.SlotQuantum"/>).</param>
/// <param name="Handed">Every slot handed to the caller by others so far, those this call took included: what it has now received.</param>
public sealed record SlotGrant(int Granted, string? Waiting, string Priority, IReadOnlyList<SlotHandover> Notify, bool Contended = false, long Handed = 0);

/// <summary>A job asking to start (<see cref="JobScheduler.AdmitJob"/>): its tenant's running-jobs quota decides.</summary>
public sealed record JobAdmissionRequest(string JobId, string Priority, SchedulingTerms Terms);

/// <summary>Whether the job may start, why not, and the priority the scheduler applies to it (an admin's change, aging).</summary>
public sealed record JobAdmission(bool Admitted, string? Waiting, string Priority);

/// <summary>What a finished job's release freed: the pages given slots (to be handed them) and the jobs admitted (to be told).</summary>
public sealed record JobRelease(IReadOnlyList<SlotHandover> Pages, IReadOnlyList<string> Jobs);

/// <summary>An admin's change of a job's priority (<see cref="JobScheduler.SetPriority"/>).</summary>
public sealed record PriorityChange(string JobId, string Priority);

/// <summary>An admin's change of a tenant's share and quotas (null rules: the tenant was deleted).</summary>
public sealed record TenantChange(string Tenant, TenantRules? Rules);
