/* float_printf.c: SSE code (printf of doubles, libm) runs in the guest. */
#include <math.h>
#include <stdio.h>

int main(void)
{
    volatile double x = 2.0;
    printf("%.6f %.3e %g\n", sqrt(x), 1.0 / 3.0 * 1e10, (double)3.25f);
    printf("%.4f\n", sin(1.0) * cos(1.0));
    return 0;
}
