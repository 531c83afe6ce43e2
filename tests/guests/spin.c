/* spin.c: a guest that never stops on its own (for --timeout). */
int main(void)
{
    for (volatile unsigned long i = 0;; i++)
        ;
}
