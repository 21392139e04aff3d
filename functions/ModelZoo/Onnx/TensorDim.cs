using Onnx;

namespace Serverless.ModelZoo.Onnx;

/// <summary>One dimension of a graph input or output: a fixed size or a named symbol such as "N".</summary>
public readonly record struct TensorDim
{
    private TensorDim(long? value, string? symbol)
    {
        Value = value;
        Symbol = symbol;
    }

    /// <summary>The fixed size, or null for a symbolic dimension.</summary>
    public long? Value { get; }

    /// <summary>The symbol (dim_param), or null for a fixed dimension.</summary>
    public string? Symbol { get; }

    /// <summary>A fixed dimension.</summary>
    public static TensorDim Fixed(long value) =>
        value >= 0 ? new(value, null) : throw new ArgumentOutOfRangeException(nameof(value));

    /// <summary>A symbolic (dynamic) dimension.</summary>
    public static TensorDim Dynamic(string symbol) =>
        string.IsNullOrEmpty(symbol) ? throw new ArgumentException("Symbol is empty.", nameof(symbol)) : new(null, symbol);

    public static implicit operator TensorDim(long value) => Fixed(value);

    public static implicit operator TensorDim(string symbol) => Dynamic(symbol);

    internal TensorShapeProto.Types.Dimension ToProto() =>
        Symbol is null ? new() { DimValue = Value!.Value } : new() { DimParam = Symbol };

    public override string ToString() => Symbol ?? Value!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
