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
public sealed record SlotRequest(string JobId, string PageId, string Priority, SchedulingTerms Terms, int Running, int Want);

/// <summary>The answer to a <see cref="SlotRequest"/>.</summary>
/// <param name="Granted">Units the page may start now (never more than it wanted).</param>
/// <param name="Waiting">Why it got fewer than it wanted (null when it got them all).</param>
/// <param name="Priority">The job's priority the scheduler applies now (an admin's change, aging).</param>
/// <param name="Notify">Pages given slots while they were waiting: the caller tells them (an event), so they need not wait for their next poll.</param>
/// <param name="Contended">Another job's page wants slots: the caller gives back every slot its units free (no <see cref="SchedulingRules.SlotQuantum"/>).</param>
public sealed record SlotGrant(int Granted, string? Waiting, string Priority, IReadOnlyList<string> Notify, bool Contended = false);

/// <summary>A job asking to start (<see cref="JobScheduler.AdmitJob"/>): its tenant's running-jobs quota decides.</summary>
public sealed record JobAdmissionRequest(string JobId, string Priority, SchedulingTerms Terms);

/// <summary>Whether the job may start, why not, and the priority the scheduler applies to it (an admin's change, aging).</summary>
public sealed record JobAdmission(bool Admitted, string? Waiting, string Priority);

/// <summary>What a finished job's release freed: the pages given slots and the jobs admitted, to be told.</summary>
public sealed record JobRelease(IReadOnlyList<string> Pages, IReadOnlyList<string> Jobs);

/// <summary>An admin's change of a job's priority (<see cref="JobScheduler.SetPriority"/>).</summary>
public sealed record PriorityChange(string JobId, string Priority);

/// <summary>An admin's change of a tenant's share and quotas (null rules: the tenant was deleted).</summary>
public sealed record TenantChange(string Tenant, TenantRules? Rules);
