namespace Serverless.BatchInference.Scheduling;

/// <summary>
/// The scheduler entity's state: who holds unit slots, the jobs it knows and the tenants' shares.
/// Small: one row per running page, per unfinished job and per tenant, whatever the jobs' sizes.
/// Mutable classes because the entity changes it in place between its persisted batches.
/// </summary>
public sealed class SchedulerState
{
    /// <summary>Work units queued or running at once across the deployment (the largest any job said).</summary>
    public int Slots { get; set; }

    /// <summary>Holders of slots by page instance id.</summary>
    public Dictionary<string, SlotHolder> Holders { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Jobs waiting to start or running, by id.</summary>
    public Dictionary<string, ScheduledJob> Jobs { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Tenants by name ("" for jobs without one).</summary>
    public Dictionary<string, ScheduledTenant> Tenants { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Slots given out since the state began (a counter for metrics).</summary>
    public long Granted { get; set; }
}

/// <summary>A page orchestration's slots.</summary>
public sealed class SlotHolder
{
    public string JobId { get; set; } = "";

    /// <summary>Units it said it runs.</summary>
    public int Running { get; set; }

    /// <summary>Slots handed to it while it was not calling (an event on its way), until its next call says what it took.</summary>
    public int Reserved { get; set; }

    /// <summary>Every slot handed to it so far (<see cref="SlotHandover.Handed"/>).</summary>
    public long Handed { get; set; }

    /// <summary>More units it said it could start.</summary>
    public int Want { get; set; }

    public DateTime LastSeen { get; set; }

    /// <summary>Why it waits (null when it does not).</summary>
    public string? Waiting { get; set; }

    /// <summary>Running and reserved: what it holds of the slots.</summary>
    public int Held => Running + Reserved;
}

/// <summary>A job the scheduler knows: admitted (running) or waiting for its tenant's running-jobs quota.</summary>
public sealed class ScheduledJob
{
    public string Tenant { get; set; } = "";

    public string Priority { get; set; } = "normal";

    /// <summary>An admin set <see cref="Priority"/>: it wins over what the job's calls say.</summary>
    public bool PrioritySet { get; set; }

    public bool Admitted { get; set; }

    public DateTime Arrived { get; set; }

    public DateTime LastSeen { get; set; }

    /// <summary>Since when it wants slots (or to start) and got none; null while it is served. Aging counts from here.</summary>
    public DateTime? WaitingSince { get; set; }

    /// <summary>Slots given to it: jobs of one tenant take turns by this count.</summary>
    public long Served { get; set; }

    /// <summary>Why it waits to start (null when admitted).</summary>
    public string? Waiting { get; set; }
}

/// <summary>A tenant's rules and its place in the fair share.</summary>
public sealed class ScheduledTenant
{
    public TenantRules Rules { get; set; } = TenantRules.Default;

    /// <summary>Set by an admin (<see cref="JobScheduler.SetTenant"/>): what jobs carry no longer overwrites it.</summary>
    public bool RulesSet { get; set; }

    /// <summary>Virtual time: slots granted over weight. The tenant with the least goes next (stride scheduling).</summary>
    public double Pass { get; set; }
}
