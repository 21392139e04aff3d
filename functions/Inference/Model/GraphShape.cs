namespace Serverless.Inference;

/// <summary>What an image input's dimensions say by themselves: the layout where the 3 sits at one end only, and then the size.</summary>
internal readonly record struct GraphShape(int[]? Dims, TensorLayout? Layout)
{
    public static GraphShape From(int[]? dims)
    {
        if (dims is not { Length: 4 })
        {
            return new GraphShape(dims, null);
        }

        bool first = dims[1] == 3, last = dims[3] == 3;
        return new GraphShape(dims, first == last ? null : first ? TensorLayout.NCHW : TensorLayout.NHWC);
    }

    /// <summary>Height and width under <paramref name="layout"/>, each null where the graph leaves it open.</summary>
    public (int? Height, int? Width) Size(TensorLayout layout)
    {
        if (Dims is not { Length: 4 } d)
        {
            return (null, null);
        }

        var (h, w) = layout == TensorLayout.NCHW ? (d[2], d[3]) : (d[1], d[2]);
        return (h > 0 ? h : null, w > 0 ? w : null);
    }

    public static string Format(int[] dims) => "[" + string.Join(", ", dims.Select(d => d > 0 ? d.ToString(System.Globalization.CultureInfo.InvariantCulture) : "?")) + "]";
}
