import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderInTestApp } from '@backstage/test-utils';
import { ImagesTable } from './ImagesTable';
import { image, imagesResponse } from '../../__testUtils__/fixtures';

function firstColumn(): string[] {
  const table = screen.getByRole('grid');
  return within(table)
    .getAllByRole('row')
    .slice(1)
    .map(row => within(row).getAllByRole('rowheader')[0].textContent ?? '');
}

async function renderTable(images = [image(3), image(1), image(2)]) {
  const repository = imagesResponse(images).repositories[0];
  const onShowFindings = jest.fn();
  await renderInTestApp(
    <ImagesTable repository={repository} onShowFindings={onShowFindings} />,
  );
  return { onShowFindings };
}

describe('ImagesTable', () => {
  it('sorts by push time, newest first, whatever order the images come in', async () => {
    await renderTable();
    expect(firstColumn()).toEqual(['v3', 'v2', 'v1']);
  });

  it('sorts by size when the size header is clicked, and back', async () => {
    await renderTable([
      image(1, { sizeBytes: 300 }),
      image(2, { sizeBytes: 100 }),
      image(3, { sizeBytes: 200 }),
    ]);
    await userEvent.click(screen.getByRole('columnheader', { name: /Size/ }));
    await waitFor(() => expect(firstColumn()).toEqual(['v2', 'v3', 'v1']));
    await userEvent.click(screen.getByRole('columnheader', { name: /Size/ }));
    await waitFor(() => expect(firstColumn()).toEqual(['v1', 'v3', 'v2']));
  });

  it('filters by tag as the user types', async () => {
    await renderTable([
      image(1, { tags: ['fcd3f42'] }),
      image(2, { tags: ['a1b2c3d', 'release-1'] }),
      image(3, { tags: ['release-2'] }),
    ]);
    await userEvent.type(
      screen.getByRole('searchbox', { name: /Search .* images by tag/ }),
      'release',
    );
    await waitFor(() =>
      expect(firstColumn()).toEqual(['release-2', 'a1b2c3d, release-1']),
    );
    await userEvent.clear(screen.getByRole('searchbox'));
    await userEvent.type(screen.getByRole('searchbox'), 'nothing-like-it');
    expect(
      await screen.findByText('No image has a tag matching "nothing-like-it".'),
    ).toBeInTheDocument();
  });

  it('shows the full digest on hover and a short one in the cell', async () => {
    await renderTable([image(255)]);
    const short = screen.getByText(`sha256:${'0'.repeat(12)}`);
    expect(short).toHaveAttribute('title', image(255).digest);
  });

  it('links each image to the AWS console and copies its pull command', async () => {
    await renderTable([image(7, { tags: ['fcd3f42'] })]);
    expect(
      screen.getByRole('link', { name: 'Open fcd3f42 in the AWS console' }),
    ).toHaveAttribute(
      'href',
      `https://eu-west-2.console.aws.amazon.com/ecr/repositories/private/123412341234/proof-of-concept-repo/_/image/${
        image(7).digest
      }/details?region=eu-west-2`,
    );
    expect(
      screen.getByRole('button', { name: 'Copy docker pull for fcd3f42' }),
    ).toBeInTheDocument();
  });

  it('opens the findings of the chosen image', async () => {
    const { onShowFindings } = await renderTable([image(1)]);
    await userEvent.click(screen.getByRole('button', { name: 'Findings' }));
    expect(onShowFindings).toHaveBeenCalledWith(
      expect.objectContaining({ digest: image(1).digest }),
    );
  });
});
