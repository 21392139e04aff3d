namespace Serverless.Inference;

/// <summary>Top-k selection over one image's scores, with softmax for logits.</summary>
public static class TopK
{
    /// <summary>
    /// The <paramref name="k"/> best classes, best first (ties: lower index first). With
    /// <paramref name="softmax"/> the scores are turned into probabilities (max-subtracted for stability).
    /// </summary>
    public static TopClass[] Select(ReadOnlySpan<float> scores, int k, bool softmax, Func<int, string?> labelOf)
    {
        k = Math.Min(k, scores.Length);
        Span<int> best = k <= 64 ? stackalloc int[k] : new int[k];
        var count = 0;
        for (var i = 0; i < scores.Length; i++)
        {
            var s = scores[i];
            if (count == k && !(s > scores[best[k - 1]]))
            {
                continue;
            }

            // Insertion into the small sorted list.
            var pos = count < k ? count++ : k - 1;
            while (pos > 0 && s > scores[best[pos - 1]])
            {
                best[pos] = best[pos - 1];
                pos--;
            }

            best[pos] = i;
        }

        var max = count > 0 ? scores[best[0]] : 0f;
        double sum = 0;
        if (softmax)
        {
            foreach (var s in scores)
            {
                sum += Math.Exp(s - max);
            }
        }

        var result = new TopClass[count];
        for (var j = 0; j < count; j++)
        {
            var raw = scores[best[j]];
            var score = softmax ? (float)(Math.Exp(raw - max) / sum) : raw;
            result[j] = new TopClass(best[j], labelOf(best[j]), score);
        }

        return result;
    }
}
