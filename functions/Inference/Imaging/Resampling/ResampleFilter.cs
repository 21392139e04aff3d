namespace Serverless.Inference;

/// <summary>PIL's filter functions and supports (libImaging/Resample.c), evaluated in the same double arithmetic.</summary>
internal static class ResampleFilter
{
    public static double Support(Interpolation interpolation) => interpolation switch
    {
        Interpolation.Bilinear => 1.0,
        Interpolation.Bicubic => 2.0,
        _ => throw new ArgumentOutOfRangeException(nameof(interpolation)),
    };

    public static double Weight(Interpolation interpolation, double x) => interpolation == Interpolation.Bilinear ? Triangle(x) : Cubic(x);

    private static double Triangle(double x)
    {
        x = Math.Abs(x);
        return x < 1.0 ? 1.0 - x : 0.0;
    }

    private static double Cubic(double x)
    {
        const double a = -0.5;
        x = Math.Abs(x);
        if (x < 1.0)
        {
            return ((((a + 2.0) * x) - (a + 3.0)) * x * x) + 1;
        }

        return x < 2.0 ? ((((((x - 5) * x) + 8) * x) - 4) * a) : 0.0;
    }
}
